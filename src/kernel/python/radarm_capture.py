"""Capped text capture: keeps the head and the tail of what user code writes, and says how much was cut.

Part of Radarm's Python kernel. Python 3.8+, standard library only.
"""
import collections
import io


def cut_note(n):
    return "\n[\u2026 {:,} characters cut \u2026]\n".format(n)


def cap_text(text, cap):
    """Head and tail of `text` within about `cap` characters."""
    if len(text) <= cap:
        return text
    head = cap // 2
    tail = cap - head
    return text[:head] + cut_note(len(text) - head - tail) + text[-tail:]


class _BytesSink(object):
    """`sys.stdout.buffer` for code that writes bytes: decoded as UTF-8 into the text capture."""

    def __init__(self, text):
        self._text = text

    def write(self, b):
        self._text.write(bytes(b).decode("utf-8", "replace"))
        return len(b)

    def flush(self):
        pass


class CappedText(io.TextIOBase):
    """A text stream keeping the first cap/2 and the last cap/2 characters written.

    `on_head(text)` is called with every piece that lands in the head, so that output can stream live
    while the tail is only known at the end.
    """

    def __init__(self, cap, on_head=None, name="<stdout>"):
        super().__init__()
        self.cap = max(int(cap), 200)
        self.head_cap = self.cap // 2
        self.tail_cap = self.cap - self.head_cap
        self._head = []
        self._head_len = 0
        self._tail = collections.deque()
        self._tail_len = 0
        self.total = 0
        self._on_head = on_head
        self.name = name
        self.buffer = _BytesSink(self)

    # io.TextIOBase protocol -------------------------------------------------------------------
    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "replace"

    def writable(self):
        return True

    def isatty(self):
        return False

    def flush(self):
        pass

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        n = len(s)
        if not n:
            return 0
        self.total += n
        room = self.head_cap - self._head_len
        if room > 0:
            part = s[:room]
            self._head.append(part)
            self._head_len += len(part)
            if self._on_head is not None:
                self._on_head(part)
            s = s[room:]
            if not s:
                return n
        self._tail.append(s)
        self._tail_len += len(s)
        # Drop whole chunks from the left while what stays still covers the tail cap.
        while self._tail and self._tail_len - len(self._tail[0]) >= self.tail_cap:
            self._tail_len -= len(self._tail.popleft())
        return n

    def getvalue(self):
        head = "".join(self._head)
        tail = "".join(self._tail)
        if self.total <= self.cap:
            return head + tail
        tail = tail[-self.tail_cap:]
        return head + cut_note(self.total - len(head) - len(tail)) + tail

    @property
    def cut(self):
        return max(0, self.total - self.cap)
