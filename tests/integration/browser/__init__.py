"""Browser tests. A package, so that its conftest is imported as `browser.conftest` and does not
take the module name `conftest`, from which tests/integration/api imports its helpers."""
