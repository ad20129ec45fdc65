"""The OpenAPI schema: how the API key is sent, and the error shape every
operation may answer with (api/errors.py)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a stable machine code and a message in the user's language (Vietnamese by default).",
    "properties": {
        "code": {"type": "string", "description": "e.g. validation_error, not_found, permission_denied, conflict."},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "description": "400 only: the refused fields, each with its errors.",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["code", "message"],
                },
            },
        },
        "errors": {
            "type": "array",
            "description": "400 only: errors not about one field.",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                "required": ["code", "message"],
            },
        },
        "current_version": {"type": "integer", "description": "409 only: the report's version now."},
        "retry_after": {"type": "integer", "description": "429 only: seconds to wait."},
    },
    "required": ["code", "message"],
}
ERRORS = {
    "400": "The request was refused: see fields.",
    "401": "No valid API key or session.",
    "403": "Signed in, but not allowed (e.g. a read-only key writing, or a role without the right).",
    "404": "No such object, or not one the caller may read.",
    "405": "Method not allowed.",
    "406": "The Accept header asks for a type the API does not answer with.",
    "409": "Conflict: someone saved the report after expected_version.",
    "415": "Unsupported media type.",
    "429": "Too many requests with this key: wait for Retry-After seconds.",
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "“Api-Key <key>”: a personal key made on the API keys page of your account.",
        }


def add_error_responses(result, generator, request, public):
    """Postprocessing hook: the error shape, and the errors any operation may answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for code, description in ERRORS.items():
                if code == "409" and method not in ("post", "patch"):
                    continue
                operation["responses"].setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
