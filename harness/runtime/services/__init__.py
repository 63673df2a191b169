"""Redis and PostgreSQL for tests and runs: external URLs, Docker containers or private local processes."""

from harness.runtime.services.base import (
    HARNESS_DATABASE,
    TEMPLATE_DATABASE,
    ServiceKind,
    ServiceProvider,
    unique_database_name,
    with_database,
)
from harness.runtime.services.docker import DockerProvider, is_docker_available
from harness.runtime.services.external import ExternalProvider, is_external_configured
from harness.runtime.services.host import LocalBinaries, free_port, memory_scratch_root
from harness.runtime.services.local import LocalProvider
from harness.runtime.services.select import (
    NO_SERVICES_MESSAGE,
    SERVICES_ENV,
    ServicesMode,
    select_provider,
    start_provider,
)

__all__ = [
    "HARNESS_DATABASE",
    "NO_SERVICES_MESSAGE",
    "SERVICES_ENV",
    "TEMPLATE_DATABASE",
    "DockerProvider",
    "ExternalProvider",
    "LocalBinaries",
    "LocalProvider",
    "ServiceKind",
    "ServiceProvider",
    "ServicesMode",
    "free_port",
    "is_docker_available",
    "is_external_configured",
    "memory_scratch_root",
    "select_provider",
    "start_provider",
    "unique_database_name",
    "with_database",
]
