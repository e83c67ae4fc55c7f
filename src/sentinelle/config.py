"""Settings, read from the environment (prefix SENTINELLE_) or a .env file."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SENTINELLE_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""  # empty: an SQLite file in var_dir
    secret_key: str = ""  # empty: generated once and kept in var_dir/secret_key
    # The service's public address (links in e-mails and feeds); empty: each page's and feed's links
    # take the address the request came to, and e-mails fall back to http://127.0.0.1:8000.
    base_url: str = ""
    # Request limits: a form or JSON body, and an uploaded file.
    max_body_bytes: int = 1_000_000
    max_upload_bytes: int = 20_000_000
    max_requests_in_flight: int = 32  # per worker; below the database pool (40 connections)
    # Outgoing mail; an empty host disables e-mail (the inbox still works).
    smtp_host: str = ""
    smtp_port: int = 25
    mail_from: str = "sentinelle@localhost"
    # Where a person writes when a page is not accessible to them (the accessibility statement).
    contact_email: str = ""
    webhook_timeout_s: float = 5.0
    # Webhooks to loopback, private or link-local addresses: refused unless an operator allows them.
    webhook_allow_private: bool = False
    # EU MDR art. 10a: notice due at least 6 months before the interruption.
    notice_min_days: int = 182
    cookie_secure: bool = False
    # Rate limits shared by every worker (e.g. redis://127.0.0.1:6379/0); empty: each process counts alone.
    redis_url: str = ""
    throttle_namespace: str = "sentinelle"
    # Log-in: attempts per address from one client, and failures per address from anywhere.
    login_rate: str = "10/minute"
    login_failures_per_address: str = "30/hour"
    vote_rate: str = "300/minute"

    def mail_base_url(self) -> str:
        return self.base_url.rstrip("/") or "http://127.0.0.1:8000"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / 'sentinelle.db').resolve()}"

    def detection_store(self) -> Path:
        """The detection store (DuckDB): the order and delivery lines, and what a daily run carries over."""
        return self.var_dir / "detection.duckdb"

    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        self.var_dir.mkdir(parents=True, exist_ok=True)
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
