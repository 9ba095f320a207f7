"""Typed trainer errors with stable codes (the same spellings as src/errors.ts where they overlap).

The CLI prints ``wavegate: CODE: message`` and exits with status 1, as the TypeScript CLI does, so
scripts can switch on the code whichever half of the toolchain failed.
"""

#: Codes shared with WavegateError (src/errors.ts) plus E_TRAIN_DIVERGED, which only training has.
CODES = (
    'E_NOT_FOUND',  # missing file
    'E_FILE_FORMAT',  # malformed dataset / checkpoint / recipe file
    'E_INPUT',  # bad data inside a well-formed file (NaN, labels out of range, shapes)
    'E_ARGUMENT',  # bad CLI argument or recipe key/value
    'E_TRAIN_DIVERGED',  # NaN/inf loss during training
    'E_EXPORT',  # ONNX export or its check against torch failed
)


class TrainerError(Exception):
    """A bad-input or training failure whose message names the file, field or step at fault."""

    def __init__(self, code: str, message: str):
        if code not in CODES:
            raise ValueError(f'unknown trainer error code {code!r}')
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f'{self.code}: {self.message}'
