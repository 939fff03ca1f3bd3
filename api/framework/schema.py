"""OpenAPI extensions: how drf-spectacular documents our authentication and key scopes."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from api.framework.scopes import required_scope

SCOPE_EXTENSION = "x-required-scope"


class ScopedAutoSchema(AutoSchema):
    """Each operation names the scope a restricted key needs for it.

    As the `x-required-scope` extension (scopes of an HTTP bearer scheme cannot be
    listed in `security` under OpenAPI 3.0) and as the description's last line.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        scope = required_scope(type(self.view), method)
        operation[SCOPE_EXTENSION] = scope
        line = f"Required scope of a restricted key: `{scope}`."
        if scope.endswith(":read"):
            line = line[:-1] + f" (or `{scope.replace(':read', ':write')}`)."
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n{line}" if description else line
        return operation


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.framework.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: `Authorization: Bearer sk_settle_…`. A restricted "
            "key carries scopes `<resource>:<read|write>` (write implies read); each "
            "operation names the one it needs in `x-required-scope`, and a key without "
            "it is answered 403 `insufficient_scope`. A key without scopes may do everything.",
        }
