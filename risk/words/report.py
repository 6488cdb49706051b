"""Headings and sentences of PDF/PNG reports: pages, ranked-table columns, stamp."""

WORDS = {
    "table": {"vi": "Các xã có nguy cơ cao nhất", "en": "Communes with the highest risk"},
    "method": {"vi": "Phương pháp", "en": "Method"},
    "weights": {"vi": "Trọng số của hồ sơ", "en": "Profile weights"},
    "page": {"vi": "Trang", "en": "Page"},
    "privacy": {
        "vi": "Số người dưới 5 được ghi là “<5” để bảo vệ người liên quan.",
        "en": "Counts of people below 5 are shown as “<5” to protect those concerned.",
    },
    "interval": {
        "vi": (
            "Khoảng hạng (p05-p95): 90% số lần rút ngẫu nhiên trọng số, số liệu và tham số "
            "cho thứ hạng trong khoảng này. P(top k): tỉ lệ số lần xã nằm trong k xã cao "
            "nhất. * Hạng chưa chắc chắn (gạch chéo trên bản đồ)."
        ),
        "en": (
            "Rank range (p05-p95): 90% of random draws of weights, counts and parameters put "
            "the rank within it. P(top k): share of draws in which the commune is among the k"
            " highest. * Class uncertain (hatched on the map)."
        ),
    },
    "summary": {
        "vi": (
            "Điểm 0-100 là tổng có trọng số của các chỉ số đã chuẩn hoá 0-10; mức nguy cơ "
            "chia theo ngũ phân vị; hạng 1 là điểm cao nhất."
        ),
        "en": (
            "The 0-100 score is the weighted sum of indicators normalised to 0-10; classes "
            "are quintiles; rank 1 is the highest score."
        ),
    },
    "column_rank": {"vi": "Hạng", "en": "Rank"},
    "column_commune_name": {"vi": "Xã", "en": "Commune"},
    "column_district_name": {"vi": "Huyện", "en": "District"},
    "column_score": {"vi": "Điểm", "en": "Score"},
    "column_score_change": {"vi": "±", "en": "±"},
    "column_class_label": {"vi": "Mức", "en": "Class"},
    "column_rank_interval": {"vi": "Khoảng hạng", "en": "Rank range"},
    "column_p_top_k": {"vi": "P(top k)", "en": "P(top k)"},
    "column_drivers": {"vi": "Yếu tố chính", "en": "Main drivers"},
    "stamp_run": {"vi": "Lần tính", "en": "Run"},
    "stamp_weights": {"vi": "mã trọng số", "en": "weights hash"},
    "stamp_layers": {"vi": "Phiên bản lớp dữ liệu", "en": "Layer versions"},
    "reason": {
        "vi": "{label}: {points:.1f} điểm ({share:.0%} tổng điểm)",
        "en": "{label}: {points:.1f} points ({share:.0%} of the score)",
    },
}
