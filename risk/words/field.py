"""Words of the field exports (KML/KMZ for Google Earth, GPX for OsmAnd and handheld GPS)."""

WORDS = {
    "document": {
        "vi": "Bản đồ nguy cơ mua bán người: {profile}",
        "en": "Trafficking-risk map: {profile}",
    },
    "about": {
        "vi": "Điểm, hạng và mức nguy cơ theo xã (không có số người). Lượt chạy {run}, {date}.",
        "en": "Commune scores, ranks and risk classes (no counts of people). Run {run}, {date}.",
    },
    "communes": {"vi": "Xã ưu tiên (hạng 1-{top})", "en": "Priority communes (ranks 1-{top})"},
    "patrol_bases": {"vi": "Điểm đặt tổ tuần tra", "en": "Patrol bases"},
    "patrol_coverage": {"vi": "Vùng bao phủ tuần tra", "en": "Patrol coverage"},
    "border_segments": {"vi": "Đoạn biên giới theo điểm", "en": "Border segments by score"},
    "border": {"vi": "Đường biên giới", "en": "Border line"},
    "crossings": {"vi": "Cửa khẩu, lối mở, đường mòn", "en": "Crossings, openings and trails"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    "score": {"vi": "Điểm nguy cơ (0-100)", "en": "Risk score (0-100)"},
    "class": {"vi": "Mức nguy cơ", "en": "Risk class"},
    "rank_interval": {"vi": "Khoảng hạng (5-95%)", "en": "Rank interval (5-95%)"},
    "district": {"vi": "Huyện", "en": "District"},
    "province": {"vi": "Tỉnh", "en": "Province"},
    "commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "kind": {"vi": "Loại", "en": "Kind"},
    "radius": {"vi": "Bán kính (km)", "en": "Radius (km)"},
    "base": {"vi": "Tổ tuần tra {n}", "en": "Patrol base {n}"},
    "coverage_of": {"vi": "Vùng bao phủ: {name}", "en": "Coverage: {name}"},
    "segment": {"vi": "Đoạn {segment}", "en": "Segment {segment}"},
    "previous_rank": {
        "vi": "Hạng kỳ trước (thay đổi, + là lên hạng)",
        "en": "Previous rank (change, + moved up)",
    },
    "score_change": {
        "vi": "Thay đổi điểm so với kỳ trước",
        "en": "Score change since the previous period",
    },
    "kind_commune_centre": {"vi": "Trung tâm xã", "en": "Commune centre"},
    "kind_post": {"vi": "Đồn, trạm biên phòng", "en": "Border post"},
    "crossing": {"vi": "Cửa khẩu {n}", "en": "Crossing {n}"},
    "in_plan": {
        "vi": "Trong kế hoạch ở {share} số lần rút trọng số",
        "en": "In the plan in {share} of weight draws",
    },
}
