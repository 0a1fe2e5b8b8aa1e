"""Server-rendered Jinja2 pages (zh-CN by default, English by a switch) over the same services."""
