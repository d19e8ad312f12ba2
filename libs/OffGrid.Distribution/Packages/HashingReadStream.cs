using System.Security.Cryptography;

namespace OffGrid.Distribution.Packages;

/// <summary>
/// A read-only view of a stream that hashes (SHA-256) and counts what is read. It reports the inner stream's length
/// and position, which <see cref="System.Formats.Tar.TarWriter"/> needs to size an entry, but cannot seek.
/// </summary>
/// <remarks>Not thread-safe; one reader.</remarks>
internal sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Action<int> _counted;

    public HashingReadStream(Stream inner, Action<int> counted)
    {
        _inner = inner;
        _counted = counted;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => throw new NotSupportedException();
    }

    /// <summary>Gets the SHA-256 of everything read, as lower-case hex.</summary>
    public string Sha256() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count), buffer.AsSpan(offset));

    public override int Read(Span<byte> buffer) => Count(_inner.Read(buffer), buffer);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Span);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read, ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data[..read]);
        _counted(read);
        return read;
    }
}
