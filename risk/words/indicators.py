"""Indicator names as shown in tooltips, tables and explanations."""

WORDS = {
    "border_proximity": {"vi": "Gần biên giới", "en": "Border proximity"},
    "border_length": {"vi": "Chiều dài biên giới", "en": "Border length"},
    "crossing_access": {"vi": "Tiếp cận cửa khẩu, lối mở", "en": "Crossing access"},
    "venue_pressure": {"vi": "Cơ sở kinh doanh có điều kiện", "en": "Venue pressure"},
    "industrial_area": {"vi": "Diện tích khu công nghiệp", "en": "Industrial zone area"},
    "industrial_workers": {"vi": "Lao động khu công nghiệp", "en": "Industrial workers nearby"},
    "repatriation_rate": {"vi": "Người bị trục xuất, nạn nhân trở về", "en": "Returnees rate"},
    "deported_rate": {"vi": "Người bị trục xuất trở về", "en": "People deported back"},
    "victim_rate": {"vi": "Nạn nhân được trả về", "en": "Victims returned"},
    "vulnerability": {"vi": "Nghèo, dân tộc thiểu số", "en": "Poverty, ethnic minority"},
}
