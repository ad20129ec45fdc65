from django import forms
from django.utils.translation import gettext_lazy as _


class WorkbookForm(forms.Form):
    file = forms.FileField(
        label=_("Organisation workbook"),
        help_text=_("An .xlsx file with the sheets Đơn vị, Người dùng, Thành viên, Phân công, or a .csv of one sheet."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Choose an .xlsx workbook or a .csv file."))
        return upload
