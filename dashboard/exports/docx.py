"""The compiled report as Word: the built-in template (summary.docx, written
by template_source.py) or the newest active one uploaded in the admin,
rendered with docxtpl.

Templates are uploaded by staff, so their Jinja runs sandboxed; every value is
XML-escaped (a report may contain "&" or "<"), and an unknown variable is an
error rather than a silent blank, so that a typo shows at upload time.
"""

import datetime
import functools
import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml.etree import XMLSyntaxError

from dashboard.exports.template_source import TEMPLATE_PATH
from dashboard.indicators import IndicatorTotal
from dashboard.letterhead import Flavour
from dashboard.summary import (
    LateItem,
    LateUnit,
    MatrixRow,
    Situation,
    SummaryContent,
    TaskSection,
    TaxonomyItem,
    UnitResult,
)
from dashboard.synthesis import Point, ProposalGroup, Section
from followups.dashboard import AppendixRow

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _Environment(SandboxedEnvironment):
    """Compiles each distinct text of a template part once per process: docxtpl
    hands every part of the document to ``from_string`` on every render, and
    compiling was half of a render's time. The compiled code depends only on the
    text and on this class's fixed settings; the sandbox applies when it runs."""

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - Jinja's own name
        if not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        cls = template_class or self.template_class
        return cls.from_code(self, _compiled(source), self.make_globals(globals), None)


@functools.lru_cache(maxsize=64)
def _compiled(source):
    return _environment().compile(source)


def _environment():
    return _Environment(autoescape=True, undefined=StrictUndefined)


def template_file():
    """The template in use: the newest active upload, else the built-in one."""
    from dashboard.models import SummaryTemplate

    uploaded = SummaryTemplate.objects.current()
    if uploaded is not None:
        with uploaded.file.open("rb") as handle:
            return io.BytesIO(handle.read())
    return TEMPLATE_PATH


def render(content: SummaryContent, template=None) -> bytes:
    """The report as .docx bytes from ``template`` (a path or file; the
    template in use by default)."""
    document = DocxTemplate(template if template is not None else template_file())
    document.render(content.context(), jinja_env=_environment(), autoescape=True)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def sample_content() -> SummaryContent:
    """Made-up data with every variable filled, to try a template on."""
    unit = UnitResult(
        "Huyện ủy Mẫu",
        reported=True,
        period="6 tháng đầu năm 2024",
        status="đang thực hiện",
        percent="60 %",
        results="Đã tổ chức hội nghị quán triệt.\nĐã ban hành kế hoạch.",
        difficulties="Kinh phí còn hạn chế.",
        proposals="Đề nghị bố trí thêm kinh phí.",
        next_steps="Tiếp tục tuyên truyền.",
        is_lead=True,
    )
    late = LateUnit("Đảng ủy Mẫu", [LateItem(1, "Nhiệm vụ mẫu", "Năm 2024", "20/12/2024", 12)])
    indicator = IndicatorTotal(1, 1, "Số hội nghị quán triệt", "hội nghị", "count", "12", 3, "cộng các kỳ", 3)
    point = Point("Kinh phí còn hạn chế.", ["Huyện ủy Mẫu"])
    task = TaskSection(
        1,
        "Nhiệm vụ mẫu",
        "55,5 %",
        [unit, UnitResult("Đảng ủy Mẫu", reported=False)],
        figures_line="Đã nhận 1/2 báo cáo (50,0 %), đúng hạn 1 (50,0 %); tiến độ chung 55,5 %.",
        status_line="Theo lượt đơn vị được giao: đang thực hiện, còn trong hạn 1.",
        indicators=[indicator],
        highlights=[Point("Đã tổ chức hội nghị quán triệt.", ["Huyện ủy Mẫu"])],
        more=1,
        more_line="Kết quả của 1 đơn vị khác tại Phụ lục 2.",
    )
    return SummaryContent(
        issuing_body="TỈNH ỦY MẪU",
        issuing_office="VĂN PHÒNG",
        flavour=Flavour.OFFICE,
        number_line="Số      -BC/VPTU",
        place_date="Hải Dương, ngày 05 tháng 3 năm 2024",
        subtitle="Kết quả thực hiện Chỉ thị số 01-CT/TU, ngày 01/01/2024 của Ban Thường vụ Tỉnh ủy về nội dung mẫu",
        period_line="(Kỳ báo cáo: 6 tháng đầu năm 2024)",
        situation=Situation("10", "8", "6", "2", "1", "1", "80,0 %", "60,0 %", "55,5 %"),
        taxonomy=[TaxonomyItem("Đang thực hiện, còn trong hạn", 3)],
        tasks=[task],
        indicators=[indicator],
        late_units=[late],
        recipients=["- Thường trực Tỉnh ủy (để b/c),", "- Lưu Văn phòng Tỉnh ủy."],
        signer_lines=["CHÁNH VĂN PHÒNG"],
        signer_name="Nguyễn Văn Mẫu",
        leadership=["Thực hiện Chỉ thị số 01-CT/TU, 2 cơ quan, đơn vị được giao thực hiện 1 nhiệm vụ."],
        overview=["Tiến độ thực hiện chung các nhiệm vụ đạt 55,5 %."],
        shortcomings_facts=["Việc báo cáo chưa nghiêm: 1 báo cáo quá hạn chưa gửi."],
        shortcomings=Section([point], more=0),
        next_steps=Section([Point("Tiếp tục tuyên truyền.", ["Huyện ủy Mẫu"])], more=0),
        proposals=[ProposalGroup("Ban Thường vụ Tỉnh ủy", [Point("Đề nghị bố trí thêm kinh phí.", ["Huyện ủy Mẫu"])])],
        appendix_note="(Kèm theo Báo cáo số      -BC/VPTU, ngày 05 tháng 3 năm 2024 của Văn phòng Tỉnh ủy)",
        matrix_tasks=["NV 1"],
        matrix_rows=[MatrixRow("Huyện ủy Mẫu", ["Đang TH trong hạn, 60 %"])],
        matrix_legend="Ghi chú: NV: nhiệm vụ.",
        followups=[
            AppendixRow(
                1,
                "125/BC-HĐND, 15/3/2024",
                "1",
                "Rà soát trụ sở dôi dư.",
                "UBND tỉnh",
                datetime.date(2024, 6, 28),
                "28/6/2024",
                "Chưa giải quyết, quá hạn 12 ngày",
                12,
            )
        ],  # fmt: skip
        followups_note="Các việc có hạn giải quyết từ ngày 01/01/2024 đến ngày 30/6/2024, tính đến ngày 05/3/2024.",
    )


def validate_template(upload):
    """Raises a ValidationError naming the problem unless ``upload`` is a .docx
    that renders with the sample data."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".docx"):
        raise ValidationError(_("The template must be a Word document (.docx)."), code="not_docx")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        render(sample_content(), io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError):
        raise ValidationError(
            _("The file is not a Word document (.docx) that can be opened."), code="not_docx"
        ) from None
    except (TemplateError, XMLSyntaxError) as error:
        raise ValidationError(
            _("The template has an error: %(error)s"), code="template_error", params={"error": str(error)}
        ) from None
