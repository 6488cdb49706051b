"""Words of comparisons between runs or periods (``riskmap compare``, ``--against``)."""

WORDS = {
    "section": {"vi": "So với kỳ trước", "en": "Compared with the previous period"},
    "against": {"vi": "so với lần tính {run}", "en": "compared with run {run}"},
    "as_of": {"vi": "đến {date}", "en": "as of {date}"},
    "risers": {"vi": "Tăng nhiều nhất", "en": "Largest rises"},
    "fallers": {"vi": "Giảm nhiều nhất", "en": "Largest falls"},
    "entering": {"vi": "Vào nhóm {k} xã cao nhất", "en": "Entering the top {k}"},
    "leaving": {"vi": "Ra khỏi nhóm {k} xã cao nhất", "en": "Leaving the top {k}"},
    "only_current": {"vi": "Chỉ có ở lần tính này", "en": "Only in this run"},
    "only_previous": {"vi": "Chỉ có ở lần tính trước", "en": "Only in the earlier run"},
    "none": {"vi": "(không có)", "en": "(none)"},
    "score_change": {"vi": "Thay đổi điểm", "en": "Score change"},
    "rank_change": {"vi": "Thay đổi thứ hạng", "en": "Rank change"},
    "previous_score": {"vi": "Điểm kỳ trước", "en": "Previous score"},
    "previous_rank": {"vi": "Hạng kỳ trước", "en": "Previous rank"},
    "class_change": {"vi": "Thay đổi mức", "en": "Class change"},
    "count_change": {"vi": "Thay đổi số người", "en": "Change in people"},
    "rank": {"vi": "Hạng", "en": "Rank"},
    "commune": {"vi": "Xã", "en": "Commune"},
    "score": {"vi": "Điểm", "en": "Score"},
    "change_map": {
        "vi": "Thay đổi điểm nguy cơ (điểm)",
        "en": "Change in risk score (points)",
    },
    "higher": {"vi": "Tăng", "en": "Higher"},
    "lower": {"vi": "Giảm", "en": "Lower"},
    "unmatched": {
        "vi": "Xã không có ở lần tính trước",
        "en": "Commune not in the earlier run",
    },
}
