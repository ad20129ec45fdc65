"""Who reads the dashboard and its exports: the province-wide roles only.
Unit staff are refused (403): the page exists, it is just not theirs."""

import rules

from reports.rules import reviews, sees_everything

rules.add_perm("dashboard.view_dashboard", sees_everything)
# "Remind now" on the late list: the provincial office and administrators.
rules.add_perm("dashboard.remind_now", reviews)
