"""Names of the plan layers on maps and in exports, and their tooltips."""

WORDS = {
    "patrol_bases": {"vi": "Điểm đặt tổ tuần tra", "en": "Patrol bases"},
    "patrol_coverage": {"vi": "Vùng bao phủ tuần tra", "en": "Patrol coverage"},
    "outreach_communes": {"vi": "Xã được chọn tuyên truyền", "en": "Communes chosen for outreach"},
    "border_segments": {
        "vi": "Đoạn biên giới (màu đậm: điểm cao)",
        "en": "Border segments (darker: higher score)",
    },
    "crossing_ranking": {"vi": "Xếp hạng cửa khẩu, lối mở", "en": "Crossings ranked"},
    "frequency": {
        "vi": "trong kế hoạch ở {share:.0%} số lần rút trọng số",
        "en": "in the plan in {share:.0%} of weight draws",
    },
    "segment": {
        "vi": "Đoạn {segment}: điểm {score:.0f}, hạng {rank}",
        "en": "Segment {segment}: score {score:.0f}, rank {rank}",
    },
}
