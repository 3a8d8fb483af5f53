"""Values the contract fixes, with the Chinese labels the API and the UI show."""

#: An application's `education`; a posting's `education_requirement` is one of these or 不限.
EDUCATION_LEVELS = ("初中及以下", "高中/中专", "大专", "本科", "硕士", "博士")
EDUCATION_REQUIREMENTS = EDUCATION_LEVELS + ("不限",)

CATEGORIES = {
    "graduate": "离校2年内未就业高校毕业生",
    "vocational_graduate": "离校2年内未就业中职毕业生",
    "unemployed_youth": "16-24岁失业青年",
    "returned_overseas": "留学回国毕业生",
}
GENDERS = ("男", "女")
ATTACHMENT_KINDS = {
    "id_card": "身份证",
    "diploma": "毕业证书",
    "degree_verification": "学历学位认证",
    "unemployment_registration": "失业登记证明",
    "other": "其他材料",
}
#: Which kinds of attachment each category's submission needs (at least one of each).
REQUIRED_ATTACHMENT_KINDS = {
    "graduate": ("id_card", "diploma"),
    "vocational_graduate": ("id_card", "diploma"),
    "returned_overseas": ("id_card", "diploma"),
    "unemployed_youth": ("id_card", "unemployment_registration"),
}
APPLICATION_STATUSES = {
    "pending": "未审核",
    "approved": "审核通过",
    "rejected": "审核不通过",
    "withdrawn": "已撤回",
    "returned": "退回补正",
}
POSTING_STATUSES = {"open": "招募中", "closed": "已结束"}

ROLES = {"applicant": "申请人", "reviewer": "审核人员", "admin": "管理员"}
STAFF_ROLES = ("reviewer", "admin")

#: Audit trail actions (GET /api/v1/admin/audit). Reads other services report through identity's
#: record_audit RPC before answering; decisions are audited from applications' events of the same
#: name; account changes by identity in the changing transaction.
AUDIT_READ_ACTIONS = ("application_viewed", "attachment_downloaded", "form_printed")
AUDIT_DECISION_ACTIONS = ("application_approved", "application_rejected", "application_returned")
AUDIT_ACCOUNT_ACTIONS = ("user_created", "user_disabled", "user_enabled", "password_changed")
AUDIT_ACTIONS = AUDIT_READ_ACTIONS + AUDIT_DECISION_ACTIONS + AUDIT_ACCOUNT_ACTIONS

#: How an application's history names each of its event types.
EVENT_LABELS = {
    "application_submitted": "提交申请",
    "application_withdrawn": "撤回申请",
    "application_approved": "审核通过",
    "application_rejected": "审核不通过",
    "application_returned": "退回补正",
    "application_resubmitted": "补正后重新提交",
}

#: Bookmarks one intern may hold.
BOOKMARK_LIMIT = 3
