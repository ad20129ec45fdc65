from celery import shared_task

from onboarding.jobs import import_batch_apply, import_batch_check


@shared_task(acks_late=True)
def check_import(batch_id):
    return import_batch_check(batch_id=batch_id).state


@shared_task(acks_late=True)
def apply_import(batch_id):
    return import_batch_apply(batch_id=batch_id).state
