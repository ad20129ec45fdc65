"""Vietnamese text of the demo data: people's names and report templates about
HĐND work, varied by task. Sample data only; see reports/demo.py."""

FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Đinh", "Phan"]
MIDDLE_NAMES = {"m": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân"], "f": ["Thị", "Thu", "Ngọc", "Hồng", "Thanh"]}
GIVEN_NAMES = {
    "m": ["An", "Bình", "Cường", "Dũng", "Hải", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Việt"],
    "f": ["Anh", "Chi", "Dung", "Hà", "Hạnh", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Trang", "Yến"],
}

RESULTS = {
    1: [
        "{unit} đã tổ chức quán triệt Chỉ thị đến cán bộ, đảng viên; phối hợp tuyên truyền Luật Tổ chức chính quyền "
        "địa phương và Luật Hoạt động giám sát của Quốc hội và Hội đồng nhân dân trên báo chí, đài truyền thanh.",
        "{unit} đã đưa nội dung các nghị quyết HĐND mới ban hành vào sinh hoạt chi bộ định kỳ; cung cấp tài liệu "
        "tuyên truyền cho đội ngũ báo cáo viên và hệ thống loa truyền thanh cơ sở.",
    ],
    2: [
        "{unit} đã lãnh đạo tổ chức các kỳ họp HĐND đúng luật, dành thời gian thỏa đáng cho thảo luận và chất vấn; "
        "đại biểu HĐND chủ động nắm tình hình, ý kiến cử tri trước kỳ họp.",
        "{unit} đã phối hợp bồi dưỡng kỹ năng hoạt động cho đại biểu HĐND, tập trung vào kỹ năng chất vấn, giám sát "
        "và tiếp xúc cử tri; thực hiện nghiêm quy chế phối hợp giữa Thường trực HĐND và UBND.",
    ],
    3: [
        "{unit} đã lãnh đạo HĐND cụ thể hóa nghị quyết đại hội Đảng bộ thành các nghị quyết chuyên đề về phát triển "
        "kinh tế - xã hội, tập trung vào các khâu đột phá và công trình trọng điểm.",
        "{unit} đã rà soát chương trình hành động thực hiện nghị quyết đại hội, đề xuất HĐND ban hành nghị quyết về "
        "đầu tư công trung hạn và xây dựng nông thôn mới nâng cao.",
    ],
    4: [
        "{unit} đã lãnh đạo UBND ban hành kế hoạch thực hiện nghị quyết HĐND theo phương châm “5 rõ”, phân công rõ "
        "người, rõ việc, rõ tiến độ cho từng cơ quan chuyên môn.",
        "{unit} đã chỉ đạo UBND định kỳ báo cáo tiến độ thực hiện nghị quyết HĐND; kết quả thực hiện được dùng làm "
        "căn cứ đánh giá năng lực của người đứng đầu cơ quan, đơn vị.",
    ],
    5: [
        "{unit} đã tổ chức kiểm tra, giám sát việc thực hiện nghị quyết HĐND; phối hợp với Mặt trận Tổ quốc và các "
        "đoàn thể giám sát, phản biện xã hội đối với các dự thảo nghị quyết.",
        "{unit} đã theo dõi, đôn đốc giải quyết các kiến nghị sau giám sát và kiến nghị của cử tri; phần lớn kiến "
        "nghị đã được trả lời đúng thời hạn.",
    ],
    6: [
        "{unit} đã rà soát, bổ sung quy hoạch cán bộ chủ chốt của HĐND; cử cán bộ chuyên trách tham gia các lớp đào "
        "tạo, bồi dưỡng nghiệp vụ.",
        "{unit} đã bố trí kinh phí, trang thiết bị bảo đảm hoạt động của HĐND và kiện toàn bộ phận giúp việc theo "
        "quy định.",
    ],
}
NOT_STARTED_RESULT = "{unit} đang xây dựng kế hoạch triển khai nhiệm vụ; trong kỳ chưa có kết quả cụ thể."
DIFFICULTIES = [
    "Một số chi bộ, đảng ủy cơ sở chưa quan tâm đúng mức đến lãnh đạo hoạt động của HĐND; việc quán triệt ở một "
    "số nơi còn hình thức.",
    "Đội ngũ cán bộ làm công tác HĐND cấp xã chủ yếu kiêm nhiệm, kỹ năng giám sát, chất vấn còn hạn chế.",
    "Việc giải quyết một số kiến nghị sau giám sát còn chậm do vướng mắc về cơ chế, chính sách và nguồn lực.",
    "Kinh phí, cơ sở vật chất phục vụ hoạt động của HĐND còn khó khăn; sắp xếp đơn vị hành chính làm thay đổi "
    "đầu mối theo dõi, báo cáo.",
]
PROPOSALS = [
    "Đề nghị Văn phòng Tỉnh ủy hướng dẫn thống nhất mẫu báo cáo kết quả thực hiện Chỉ thị.",
    "Đề nghị Thường trực HĐND tỉnh tăng cường tập huấn kỹ năng giám sát, chất vấn cho đại biểu HĐND cấp huyện, cấp xã.",
    "Đề nghị UBND tỉnh chỉ đạo các sở, ngành trả lời dứt điểm các kiến nghị cử tri còn tồn đọng.",
    "Đề nghị bố trí bổ sung kinh phí cho các cuộc giám sát chuyên đề của HĐND.",
]
NEXT_STEPS = [
    "Tiếp tục quán triệt, tuyên truyền sâu rộng nội dung Chỉ thị đến các chi bộ và đảng viên.",
    "Xây dựng chương trình giám sát năm tới; theo dõi việc thực hiện các kiến nghị sau giám sát.",
    "Đôn đốc UBND hoàn thành các nhiệm vụ còn chậm tiến độ theo kế hoạch “5 rõ”.",
    "Chuẩn bị nội dung sơ kết việc thực hiện Chỉ thị, đề xuất giải pháp khắc phục hạn chế.",
]
COMPLETED_DIFFICULTIES = "Không phát sinh khó khăn, vướng mắc."
COMPLETED_PROPOSALS = "Không có đề xuất, kiến nghị."
COMPLETED_NEXT_STEPS = "Duy trì kết quả đã đạt được; lồng ghép nội dung Chỉ thị vào chương trình công tác thường xuyên."
