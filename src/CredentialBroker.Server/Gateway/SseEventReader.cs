using System.Buffers;
using System.Text;

namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Splits a server-sent-event stream, fed in chunks of any size, into event payloads with bounded memory. Lines end
/// in "\n", "\r\n" or "\r" and may be split across chunks; comment lines (":") are ignored; a line longer than
/// <see cref="MaxLineBytes"/> is dropped with the event it belongs to.
/// </summary>
/// <remarks>
/// Each <c>data:</c> line is handed over as soon as it ends, so a stream cut off before an event's closing blank line
/// still counts, and so do servers that omit blank lines. An event with several data lines is handed over once more,
/// joined with "\n" as the SSE specification says, at its blank line; its single lines are rarely JSON on their own.
/// </remarks>
internal sealed class SseEventReader(SseEventReader.Handler onData)
{
    /// <summary>The longest line kept, in bytes.</summary>
    public const int MaxLineBytes = 4 * 1024 * 1024;

    private const int RetainedCapacity = 64 * 1024;

    private ArrayBufferWriter<byte> _line = new();
    private ArrayBufferWriter<byte> _data = new();
    private string? _eventName;
    private int _dataLines;
    private bool _dropLine;
    private bool _dropEvent;
    private bool _afterCr;

    /// <summary>Receives one payload with the name from the event's <c>event:</c> line, if that came first.</summary>
    public delegate void Handler(string? eventName, ReadOnlySpan<byte> data);

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (_afterCr && !chunk.IsEmpty)
        {
            _afterCr = false;
            if (chunk[0] == (byte)'\n')
            {
                chunk = chunk[1..];
            }
        }

        while (!chunk.IsEmpty)
        {
            var end = chunk.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                Keep(chunk);
                return;
            }

            var piece = chunk[..end];
            var crlf = chunk[end] == (byte)'\r' && end + 1 < chunk.Length && chunk[end + 1] == (byte)'\n';
            _afterCr = chunk[end] == (byte)'\r' && end + 1 == chunk.Length;
            chunk = chunk[(end + (crlf ? 2 : 1))..];
            if (_line.WrittenCount == 0 && !_dropLine)
            {
                Line(piece);
            }
            else
            {
                Keep(piece);
                if (!_dropLine)
                {
                    Line(_line.WrittenSpan);
                }
            }

            _dropLine = false;
            _line = Reset(_line);
        }
    }

    private void Keep(ReadOnlySpan<byte> piece)
    {
        if (_dropLine)
        {
            return;
        }

        if (_line.WrittenCount + piece.Length > MaxLineBytes)
        {
            _dropLine = true;
            _dropEvent = true;
            _line = Reset(_line);
            return;
        }

        _line.Write(piece);
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxLineBytes)
        {
            _dropEvent = true;
            return;
        }

        if (line.IsEmpty)
        {
            if (_dataLines > 1 && !_dropEvent)
            {
                onData(_eventName, _data.WrittenSpan);
            }

            _eventName = null;
            _dataLines = 0;
            _dropEvent = false;
            _data = Reset(_data);
            return;
        }

        var colon = line.IndexOf((byte)':');
        if (colon == 0)
        {
            return;
        }

        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            Data(value);
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventName = value.Length <= 256 ? Encoding.UTF8.GetString(value) : null;
        }
    }

    private void Data(ReadOnlySpan<byte> value)
    {
        onData(_eventName, value);
        if (_dropEvent)
        {
            return;
        }

        if (_data.WrittenCount + value.Length + 1 > MaxLineBytes)
        {
            _dropEvent = true;
            _data = Reset(_data);
            return;
        }

        if (_dataLines++ > 0)
        {
            _data.Write("\n"u8);
        }

        _data.Write(value);
    }

    /// <summary>Empties a buffer, replacing it when one large line made it big.</summary>
    private static ArrayBufferWriter<byte> Reset(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > RetainedCapacity)
        {
            return new ArrayBufferWriter<byte>();
        }

        buffer.ResetWrittenCount();
        return buffer;
    }
}
