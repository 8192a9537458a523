"""The Litestar application: routes, problem details, OpenAPI."""

from __future__ import annotations

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components

from domain.identity import Role
from gateway.api import (
    admin_routes,
    config_routes,
    event_stream,
    experiment_routes,
    operations,
    pipeline_routes,
    recommendation_routes,
    routes,
)
from gateway.api.auth import authentication, command_rate_limit, requires
from gateway.api.dashboard import dashboard_routes
from gateway.api.dependencies import ApiDeps
from gateway.api.openapi_docs import BEARER, BEARER_SCHEME, document_problems
from gateway.api.problems import EXCEPTION_HANDLERS

VERSION = "0.1.0"
MAX_BODY = 512 * 1024


def create_app(deps: ApiDeps) -> Litestar:
    async def provide() -> ApiDeps:
        return deps

    v1 = Router(
        "/api/v1",
        guards=[requires(Role.VIEWER)],  # and more where a route says so
        route_handlers=[
            admin_routes.whoami,
            admin_routes.stream_events,
            admin_routes.list_dead_letters,
            admin_routes.redrive_dead_letter,
            routes.list_experiments,
            routes.get_experiment,
            routes.experiment_events,
            routes.global_log,
            event_stream.event_stream,
            routes.command_status,
            routes.send_command,
            experiment_routes.experiment_results,
            experiment_routes.experiment_measurements,
            experiment_routes.variant_config,
            experiment_routes.list_templates,
            experiment_routes.get_template,
            pipeline_routes.list_pipelines,
            pipeline_routes.get_pipeline,
            pipeline_routes.pipeline_version,
            recommendation_routes.from_experiment,
            recommendation_routes.from_simulation,
            config_routes.config_components,
            config_routes.validate_config,
            config_routes.estimate_config,
        ],
    )
    app = Litestar(
        route_handlers=[
            v1,
            operations.healthz,
            operations.readyz,
            operations.metrics,
            *dashboard_routes(),
        ],
        dependencies={"deps": Provide(provide)},
        middleware=[
            authentication(deps.authenticator, metrics_public=deps.metrics_public),
            command_rate_limit(deps.command_rate_limit),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Phoenix",
            version=VERSION,
            description="Read API and command gateway of Phoenix.",
            path="/schema",
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin(), SwaggerRenderPlugin()],
            components=Components(security_schemes={BEARER: BEARER_SCHEME}),
        ),
        logging_config=LoggingConfig(configure_root_logger=False, log_exceptions="never"),
        # Below NATS's default 1 MiB max_payload, with room for the headers: 413, not a 500.
        request_max_body_size=MAX_BODY,
    )
    document_problems(app)
    return app
