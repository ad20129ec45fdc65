"""The Word template of the compiled report: the built-in one, and a
replacement uploaded in the admin, checked by rendering it with sample data."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from dashboard.exports.docx import CONTENT_TYPE, sample_content
from dashboard.exports.template_source import TEMPLATE_PATH
from dashboard.models import SummaryTemplate
from tests.dashboard import test_exports as shared

# The shared fixtures: a small directive with units, a fixed today, a temporary private root.
world, today, private_root = shared.world, shared.today, shared.private_root


ADD = "admin:dashboard_summarytemplate_add"


def word_file(*lines, name="mau.docx"):
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    output = io.BytesIO()
    document.save(output)
    return SimpleUploadedFile(name, output.getvalue(), content_type=CONTENT_TYPE)


def upload(client, file, name="Mẫu của Văn phòng"):
    return client.post(reverse(ADD), {"name": name, "file": file, "is_active": "on"})


def errors(response):
    return [str(error) for error in response.context["adminform"].form.errors.get("file", [])]


def test_the_built_in_template_renders_the_sample_with_no_tag_left(private_root):
    from dashboard.exports.docx import render

    document = docx.Document(io.BytesIO(render(sample_content(), TEMPLATE_PATH)))
    text = "\n".join(p.text for p in document.paragraphs)

    assert "1. Nhiệm vụ mẫu" in text and "Đã tổ chức hội nghị quán triệt." in text
    assert "{{" not in text and "{%" not in text


def test_each_text_of_a_template_is_compiled_once_and_still_runs_sandboxed(private_root):
    from jinja2.exceptions import SecurityError

    from dashboard.exports.docx import _compiled, render

    _compiled.cache_clear()
    first = render(sample_content(), TEMPLATE_PATH)
    compiled = _compiled.cache_info().misses
    assert compiled > 0
    second = render(sample_content(), TEMPLATE_PATH)
    assert _compiled.cache_info().misses == compiled  # nothing compiled again

    def body(data):
        return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)

    assert body(second) == body(first)
    unsafe = word_file("{{ subtitle.__class__ }}").read()
    for _ in range(2):  # the second time from the compiled code
        with pytest.raises(SecurityError):
            render(sample_content(), io.BytesIO(unsafe))


def test_an_uploaded_template_replaces_the_built_in_one(
    world,
    admin_user,
    client_for,
    today,
    private_root,
):
    client = client_for(admin_user)
    file = word_file(
        "BÁO CÁO CỦA VĂN PHÒNG",
        "{{ subtitle }}",
        "{%p for task in tasks %}",
        "Mục {{ task.number }}: {{ task.title }}",
        "{%p endfor %}",
    )

    response = upload(client, file)
    assert response.status_code == 302, errors(response)
    template = SummaryTemplate.objects.get()
    assert template.uploaded_by == admin_user
    assert template.file.name.startswith("summary-templates/")

    exported = client.get(reverse("dashboard_summary_docx"), world.query)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(exported.content)).paragraphs]
    assert paragraphs[0] == "BÁO CÁO CỦA VĂN PHÒNG"
    assert "Mục 2: Đổi mới hoạt động đại biểu: chỗ dựa vững chắc, đặc biệt ở cơ sở; ổn định trật tự" in paragraphs
    current = client.get(reverse("dashboard_summary_template"))
    assert docx.Document(io.BytesIO(current.content)).paragraphs[0].text == "BÁO CÁO CỦA VĂN PHÒNG"


def test_an_inactive_template_is_not_used(world, admin_user, client_for, today, private_root):
    client = client_for(admin_user)
    upload(client, word_file("MẪU CŨ"))
    SummaryTemplate.objects.update(is_active=False)

    exported = client.get(reverse("dashboard_summary_docx"), world.query)
    assert docx.Document(io.BytesIO(exported.content)).paragraphs[0].text != "MẪU CŨ"


TEMPLATE_ERROR = "The template has an error: %(error)s"


@pytest.mark.parametrize(
    ("file", "message", "detail"),
    [
        (SimpleUploadedFile("mau.pdf", b"%PDF-1.4"), "The template must be a Word document (.docx).", ""),
        (
            SimpleUploadedFile("mau.docx", b"not a zip"),
            "The file is not a Word document (.docx) that can be opened.",
            "",
        ),
        (word_file("{{ subtitle "), TEMPLATE_ERROR, ""),
        (word_file("{{ no_such_variable }}"), TEMPLATE_ERROR, "'no_such_variable' is undefined"),
        (word_file("{{ subtitle.__class__ }}"), TEMPLATE_ERROR, "unsafe"),
    ],
    ids=["not-docx", "not-a-zip", "syntax", "unknown-variable", "sandbox"],
)
def test_a_bad_upload_is_refused_with_a_clear_error(file, message, detail, admin_user, client_for, private_root):
    response = upload(client_for(admin_user), file)

    # The page speaks the site's language (Vietnamese), whatever the catalog holds today.
    with translation.override("vi"):
        expected = translation.gettext(message).split("%(error)s")[0]
    assert response.status_code == 200
    [error] = errors(response)
    assert error.startswith(expected) and detail in error
    assert not SummaryTemplate.objects.exists()


def test_office_staff_with_admin_access_may_upload(office_user, client_for, private_root):
    office_user.is_staff = True
    office_user.save()

    response = upload(client_for(office_user), word_file("{{ title }}"))

    assert response.status_code == 302
    assert SummaryTemplate.objects.count() == 1


def test_unit_staff_cannot_download_the_template(reporter_a, client_for, private_root):
    assert client_for(reporter_a).get(reverse("dashboard_summary_template")).status_code == 403
