"""A small error hierarchy. Every message says what went wrong and what to do about it."""

from __future__ import annotations

from pathlib import Path


class LotseError(Exception):
    """Base class for every error Clusterlotse reports to a user."""


class ConfigError(LotseError):
    """The configuration cannot work; the message names the setting to change."""


class PdfError(LotseError):
    """One PDF could not be ingested. ``reason`` is a short German/English sentence."""

    reason = "Die Datei konnte nicht gelesen werden / the file could not be read."

    def __init__(self, path: Path | str, detail: str = "") -> None:
        self.path = Path(path)
        self.detail = detail
        message = f"{self.path.name}: {self.reason}"
        if detail:
            message += f" ({detail})"
        super().__init__(message)


class EmptyFileError(PdfError):
    reason = "Die Datei ist leer (0 Bytes) / the file is empty."


class NotAPdfError(PdfError):
    reason = "Keine PDF-Datei (kein %PDF-Kopf) / not a PDF file."


class EncryptedPdfError(PdfError):
    reason = (
        "Die PDF ist verschlüsselt und braucht ein Passwort; bitte eine entschlüsselte Fassung ablegen "
        "/ the PDF is encrypted and needs a password."
    )


class CorruptPdfError(PdfError):
    reason = "Die PDF ist beschädigt oder abgeschnitten / the PDF is corrupt or truncated."


class NoPagesError(PdfError):
    reason = "Die PDF hat keine Seiten / the PDF has no pages."


class NoTextLayerError(PdfError):
    reason = (
        "Die PDF hat keine Textebene (gescannt?); sie müsste erst per OCR erkannt werden "
        "/ no text layer (scanned?), OCR would be needed."
    )


class PdfTooLargeError(PdfError):
    reason = "Die PDF überschreitet die Größen- oder Seitengrenze / the PDF exceeds the size or page limit."


class PdfTimeoutError(PdfError):
    reason = "Das Lesen der PDF dauerte zu lange und wurde abgebrochen / reading the PDF timed out."


class IndexMismatchError(LotseError):
    """The index was built with another embedder; vectors must never be mixed."""


class IndexLockedError(LotseError):
    """Another ingest holds the index lock."""


class IndexEmptyError(LotseError):
    """Nothing has been ingested yet."""


class UnknownDocumentError(LotseError):
    """A command named a document that is not in the index."""
