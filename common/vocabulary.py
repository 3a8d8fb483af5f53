"""Values the contract fixes and more than one service checks."""

#: An application's `education`; a posting's `education_requirement` is one of these or 不限.
EDUCATION_LEVELS = ("初中及以下", "高中/中专", "大专", "本科", "硕士", "博士")
