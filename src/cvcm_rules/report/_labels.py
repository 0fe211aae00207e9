"""Words the human-readable renderers share, in Chinese and English."""

from __future__ import annotations

OUTCOME_LABELS = {
    "zh": {"pass": "通过", "fail": "不通过", "warn": "警示", "not_applicable": "不适用",
           "indeterminate": "无法判定", "needs_review": "需人工审核", "error": "规则错误"},
    "en": {"pass": "pass", "fail": "FAIL", "warn": "warn", "not_applicable": "n/a",
           "indeterminate": "indeterminate", "needs_review": "needs review", "error": "ERROR"},
}
CATEGORY_LABELS = {
    "zh": {"eligibility": "合格性", "additionality": "额外性", "uniqueness": "唯一性",
           "permanence": "持久性", "double_counting": "重复计算", "crediting_period": "计入期",
           "timeline": "时限与程序", "conservativeness": "保守性", "record_keeping": "记录保存",
           "vvb_independence": "审定与核查机构独立性", "sustainable_development": "可持续发展",
           "net_zero": "净零转型", "attributes": "属性标签"},
    "en": {"eligibility": "Eligibility", "additionality": "Additionality",
           "uniqueness": "Uniqueness", "permanence": "Permanence",
           "double_counting": "Double counting", "crediting_period": "Crediting period",
           "timeline": "Timeline and procedure", "conservativeness": "Conservativeness",
           "record_keeping": "Record keeping", "vvb_independence": "VVB independence",
           "sustainable_development": "Sustainable development", "net_zero": "Net-zero transition",
           "attributes": "Attributes"},
}
HEADINGS = {
    "zh": {"report": "合规检查报告", "dossier": "项目文件", "as_of": "评估日期", "packs": "规则包",
           "calendar": "工作日历", "summary": "汇总", "score": "得分", "findings": "检查结果",
           "clause": "条款", "evidence": "证据", "parameters": "参数", "derived": "推导值",
           "blocking": "阻断性不通过", "provisional": "临时日历年份", "none": "无",
           "official_through": "官方安排截至"},
    "en": {"report": "Compliance report", "dossier": "Dossier", "as_of": "As of", "packs": "Packs",
           "calendar": "Calendar", "summary": "Summary", "score": "Score",
           "findings": "Findings", "clause": "Clause", "evidence": "Evidence",
           "parameters": "Parameters", "derived": "Derived", "blocking": "Blocking failures",
           "provisional": "Provisional years", "none": "none",
           "official_through": "official through"},
}
