namespace CredentialBroker.Server.Gateway;

/// <summary>
/// Sits between the forwarder and the client: passes every byte through at once (nothing is held
/// back) and lets the meter see it — an SSE stream is read event by event, a JSON body is kept
/// (up to a cap) to read its usage at the end.
/// </summary>
internal sealed class ResponseMeter(Stream inner, GatewayEndpoint endpoint, int maxBufferedBytes) : Stream
{
    private MemoryStream? _body;
    private bool _overflowed;

    /// <summary>Set when the upstream response arrives: whether it is an event stream, and its status.</summary>
    public void Begin(bool eventStream, int statusCode)
    {
        StatusCode = statusCode;
        if (statusCode is >= 200 and < 300)
        {
            if (eventStream)
            {
                Stream = new StreamUsageMeter(endpoint);
            }
            else
            {
                _body = new MemoryStream();
            }
        }
    }

    public int StatusCode { get; private set; }

    /// <summary>The stream meter when the response is an event stream.</summary>
    public StreamUsageMeter? Stream { get; private set; }

    /// <summary>Bytes passed to the client.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Usage in a complete JSON body, or null (no body, too large, or no usage in it).</summary>
    public UsageReport? BodyUsage() =>
        _body is null || _overflowed ? null : ResponseUsageParser.Parse(endpoint, _body.GetBuffer().AsSpan(0, (int)_body.Length));

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Observe(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        BytesWritten += data.Length;
        if (Stream is { } meter)
        {
            meter.Append(data);
        }
        else if (_body is { } body && !_overflowed)
        {
            if (body.Length + data.Length > maxBufferedBytes)
            {
                _overflowed = true;
                _body = null;
            }
            else
            {
                body.Write(data);
            }
        }
    }
}
