"""Arguments many fields share, declared once with their descriptions."""

from typing import Annotated

import strawberry

First = Annotated[int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")]
After = Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")]
