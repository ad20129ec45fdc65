"""Who may import follow-up items from a workbook: the office (it keeps the
register after each supervision session) and administrators. Imported by
followups/rules.py."""

import rules

from reports.rules import is_admin, is_office_staff

rules.add_perm("followups.import_items", is_admin | is_office_staff)
