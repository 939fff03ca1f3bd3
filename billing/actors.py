"""Who is acting, and from where: passed to every service and written to the audit trail."""

from dataclasses import dataclass

from billing.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    source: str  # one of AuditEvent.Source
    user: object | None = None  # a django User
    api_key_id: str = ""
    label: str = ""

    @property
    def user_id(self):
        return getattr(self.user, "pk", None)

    def describe(self) -> str:
        if self.label:
            return self.label
        if self.user is not None:
            return str(self.user)
        if self.api_key_id:
            return f"API key {self.api_key_id}"
        return self.source

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(source=AuditEvent.Source.SYSTEM, label=label)

    @classmethod
    def task(cls, label: str) -> "Actor":
        return cls(source=AuditEvent.Source.TASK, label=label)

    @classmethod
    def admin(cls, user) -> "Actor":
        return cls(source=AuditEvent.Source.ADMIN, user=user)
