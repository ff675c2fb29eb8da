from tests.api.conftest import api_as  # noqa: F401 - bearer-token clients for the API tests
