import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

application = get_wsgi_application()

# What start-up loaded lives as long as the process: leave it out of every
# garbage collection (``gc.freeze``), and collect the youngest objects less
# often. A national page builds a hundred thousand short-lived objects, and
# each full collection walked everything loaded at start-up again: the section
# "Học tập, quán triệt" took a quarter longer with the defaults.
gc.freeze()
gc.set_threshold(10_000, 10, 10)
