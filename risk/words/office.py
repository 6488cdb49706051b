"""Words of the office exports (Excel workbook, Word report): sheets, headers, headings, notes."""

WORDS = {
    # sheets of the workbook (at most 31 characters, none of : \ / ? * [ ])
    "sheet_ranking": {"vi": "Xếp hạng xã", "en": "Commune ranking"},
    "sheet_patrol_bases": {"vi": "Điểm tuần tra", "en": "Patrol bases"},
    "sheet_outreach_communes": {"vi": "Xã tuyên truyền", "en": "Outreach communes"},
    "sheet_border_segments": {"vi": "Đoạn biên giới", "en": "Border segments"},
    "sheet_crossing_ranking": {"vi": "Cửa khẩu, lối mở", "en": "Crossings"},
    "sheet_provenance": {"vi": "Nguồn gốc", "en": "Provenance"},
    # column headers, one per column key ("col_<column>")
    "col_rank": {"vi": "Hạng", "en": "Rank"},
    "col_commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "col_commune_name": {"vi": "Xã", "en": "Commune"},
    "col_district_name": {"vi": "Huyện", "en": "District"},
    "col_province_name": {"vi": "Tỉnh", "en": "Province"},
    "col_population": {"vi": "Dân số (người)", "en": "Population (people)"},
    "col_score": {"vi": "Điểm (0-100)", "en": "Score (0-100)"},
    "col_class": {"vi": "Mức (1-5)", "en": "Class (1-5)"},
    "col_class_label": {"vi": "Mức nguy cơ", "en": "Risk class"},
    "col_class_uncertain": {"vi": "Mức chưa chắc chắn", "en": "Class uncertain"},
    "col_rank_interval": {"vi": "Khoảng hạng (p05-p95)", "en": "Rank range (p05-p95)"},
    "col_p_top_k": {"vi": "Xác suất trong top k", "en": "P(top k)"},
    "col_drivers": {"vi": "Yếu tố chính", "en": "Main drivers"},
    "col_hotspot": {"vi": "Cụm điểm", "en": "Score cluster"},
    "col_repatriations_total": {
        "vi": "Số người trở về (bị trục xuất, nạn nhân)",
        "en": "People returned (deported, victims)",
    },
    "col_patrol_covered": {"vi": "Trong vùng tuần tra", "en": "Patrol coverage"},
    "col_outreach_selected": {"vi": "Được chọn tuyên truyền", "en": "Chosen for outreach"},
    "col_previous_score": {"vi": "Điểm kỳ trước", "en": "Previous score"},
    "col_score_change": {"vi": "Thay đổi điểm", "en": "Score change"},
    "col_previous_rank": {"vi": "Hạng kỳ trước", "en": "Previous rank"},
    "col_rank_change": {"vi": "Thay đổi hạng (+: tăng)", "en": "Rank change (+: up)"},
    "col_previous_class": {"vi": "Mức kỳ trước", "en": "Previous class"},
    "col_class_change": {"vi": "Thay đổi mức", "en": "Class change"},
    "col_name": {"vi": "Tên", "en": "Name"},
    "col_kind": {"vi": "Loại", "en": "Kind"},
    "col_added_share": {"vi": "Phần nguy cơ thêm vào", "en": "Share of risk added"},
    "col_frequency": {"vi": "Tần suất trong kế hoạch", "en": "Frequency in plan"},
    "col_radius_km": {"vi": "Bán kính (km)", "en": "Radius (km)"},
    "col_lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "col_lon": {"vi": "Kinh độ", "en": "Longitude"},
    "col_segment": {"vi": "Đoạn số", "en": "Segment"},
    "col_start_km": {"vi": "Từ km", "en": "From km"},
    "col_end_km": {"vi": "Đến km", "en": "To km"},
    "col_crossing_names": {"vi": "Cửa khẩu, lối mở", "en": "Crossings"},
    "col_communes": {"vi": "Số xã lân cận", "en": "Communes nearby"},
    "col_item": {"vi": "Mục", "en": "Item"},
    "col_value": {"vi": "Giá trị", "en": "Value"},
    # values
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "kind_land": {"vi": "Đất liền", "en": "Land"},
    "kind_sea": {"vi": "Biển", "en": "Sea"},
    "kind_commune_centre": {"vi": "Trung tâm xã", "en": "Commune centre"},
    "kind_commune": {"vi": "Xã", "en": "Commune"},
    "kind_crossing": {"vi": "Cửa khẩu, lối mở", "en": "Crossing"},
    # provenance
    "about_title": {"vi": "Tiêu đề", "en": "Title"},
    "about_place": {"vi": "Địa bàn", "en": "Area"},
    "about_all": {"vi": "Toàn bộ lần tính", "en": "The whole run"},
    "about_communes": {"vi": "Số xã trong tệp", "en": "Communes in the file"},
    "about_run": {"vi": "Mã lần tính", "en": "Run id"},
    "about_profile": {"vi": "Hồ sơ", "en": "Profile"},
    "about_weights_hash": {"vi": "Mã trọng số", "en": "Weights hash"},
    "about_weight": {"vi": "Trọng số: {label}", "en": "Weight: {label}"},
    "about_layer": {"vi": "Phiên bản lớp: {layer}", "en": "Layer version: {layer}"},
    "about_date": {"vi": "Ngày xuất", "en": "Exported on"},
    "about_code": {"vi": "Phiên bản mã", "en": "Code version"},
    "about_counts": {"vi": "Quy tắc số nhỏ", "en": "Small-count rule"},
    "about_comparison": {"vi": "Đối chiếu", "en": "Baseline"},
    "about_note": {"vi": "Ghi chú", "en": "Note"},
    "counts_exact": {
        "vi": "Số chính xác (cán bộ phân tích yêu cầu; không chia sẻ rộng)",
        "en": "Exact counts (asked for by an analyst; do not share widely)",
    },
    "counts_threshold": {
        "vi": "Số người từ 1 đến {below} ghi là “{label}”; tỉ lệ của các xã đó được ẩn",
        "en": "Counts of 1 to {below} people are shown as “{label}”; those communes' "
        "rates are withheld",
    },
    "counts_round": {
        "vi": "Số người làm tròn xuống bội số của {base}; mọi tỉ lệ được ẩn",
        "en": "Counts of people rounded down to a multiple of {base}; every rate withheld",
    },
    # the Word report
    "doc_map": {"vi": "Bản đồ nguy cơ theo xã", "en": "Risk map by commune"},
    "doc_caption": {
        "vi": "Hình 1. Mức nguy cơ mua bán người theo xã ({place})",
        "en": "Figure 1. Trafficking-risk class by commune ({place})",
    },
    "doc_table": {"vi": "Các xã có nguy cơ cao nhất", "en": "Communes with the highest risk"},
    "doc_plans": {"vi": "Kế hoạch", "en": "Plans"},
    "doc_comparison": {"vi": "So với kỳ trước", "en": "Compared with the previous period"},
    "doc_risers": {"vi": "Các xã tăng hạng nhiều nhất", "en": "Communes that rose most"},
    "doc_fallers": {"vi": "Các xã giảm hạng nhiều nhất", "en": "Communes that fell most"},
    "doc_none": {"vi": "Không có xã nào.", "en": "None."},
    "doc_method": {"vi": "Phương pháp", "en": "Method"},
    "doc_weights": {"vi": "Trọng số của hồ sơ", "en": "Profile weights"},
    "doc_provenance": {"vi": "Nguồn gốc số liệu", "en": "Provenance"},
    "doc_more_rows": {
        "vi": "Bảng đủ {total} dòng có trong tệp Excel (xlsx) của cùng lần tính.",
        "en": "All {total} rows are in the Excel file (xlsx) of the same run.",
    },
    "method_summary": {
        "vi": "Điểm 0-100 của mỗi xã là tổng có trọng số của các chỉ số đã chuẩn hoá "
        "(gần biên giới, tiếp cận cửa khẩu và lối mở, cơ sở kinh doanh có điều kiện, khu "
        "công nghiệp, người bị trục xuất và nạn nhân trở về); mức nguy cơ chia 5 mức; hạng 1 "
        "là điểm cao nhất. Điểm cho biết nơi cần ưu tiên xem xét, không kết luận về bất kỳ ai.",
        "en": "Each commune's 0-100 score is the weighted sum of normalised indicators "
        "(border proximity, access to crossings and openings, licensed venues, industrial "
        "zones, people deported back and victims returned); classes split it in five; rank 1 "
        "is the highest score. A score shows where to look first, never a finding about anyone.",
    },
    "method_interval": {
        "vi": "Khoảng hạng (p05-p95): 90% số lần rút ngẫu nhiên trọng số, số liệu và tham số "
        "cho thứ hạng trong khoảng này. Xác suất trong top k: tỉ lệ số lần xã nằm trong k xã "
        "cao nhất. Dấu *: mức nguy cơ chưa chắc chắn.",
        "en": "Rank range (p05-p95): 90% of random draws of weights, counts and parameters "
        "put the rank within it. P(top k): share of draws in which the commune is among the "
        "k highest. *: class uncertain.",
    },
}
