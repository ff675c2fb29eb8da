"""``python -m audit_service.cli``: the same as the ``audit-service`` console script."""

from audit_service.cli import main

if __name__ == "__main__":
    main()
