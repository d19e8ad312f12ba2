using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace OffGrid.Hub.Gguf;

/// <summary>Parses the GGUF header (metadata and tensor infos) from a stream with one reusable buffer.</summary>
/// <remarks>
/// Every length read from the file is checked against the bytes that can still follow before anything is
/// allocated, so a corrupt length produces a <see cref="GgufFormatException"/> instead of a huge allocation.
/// Not thread-safe; one instance reads one stream once.
/// </remarks>
internal sealed class GgufHeaderReader
{
    /// <summary>Upper bound for the header of a stream whose length cannot be known (non-seekable).</summary>
    internal const long UnseekableHeaderLimit = 1L << 30;

    private const uint Magic = 0x46554747; // "GGUF" read as little-endian u32
    private const int DefaultAlignment = 32;
    private const int MaxDimensions = 4;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly long _limit;
    private readonly long? _length;
    private long _bufferStart;
    private int _pos;
    private int _len;

    private GgufHeaderReader(Stream stream)
    {
        _stream = stream;
        _length = stream.CanSeek ? stream.Length - stream.Position : null;
        _limit = _length ?? UnseekableHeaderLimit;
    }

    private long Position => _bufferStart + _pos;

    private long Remaining => _limit - Position;

    public static async Task<GgufFile> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new GgufHeaderReader(stream);
        return await reader.ReadFileAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<GgufFile> ReadFileAsync(CancellationToken ct)
    {
        await EnsureAsync(4, ct, "magic").ConfigureAwait(false);
        uint magic = ReadUInt32();
        if (magic != Magic)
        {
            throw new GgufFormatException($"Not a GGUF file: the first bytes are 0x{magic:X8}, expected the magic 'GGUF'.");
        }

        await EnsureAsync(20, ct, "header").ConfigureAwait(false);
        uint version = ReadUInt32();
        if (version is not (2 or 3))
        {
            throw new GgufFormatException(BinaryPrimitives.ReverseEndianness(version) is 2 or 3
                ? "Big-endian GGUF files are not supported."
                : $"GGUF version {version} is not supported; versions 2 and 3 are.");
        }

        ulong tensorCount = ReadUInt64();
        ulong kvCount = ReadUInt64();
        CheckCount(kvCount, 13, "metadata entries");
        CheckCount(tensorCount, 24, "tensors");

        var metadata = new Dictionary<string, GgufValue>((int)kvCount, StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            string key = await ReadStringAsync(ct).ConfigureAwait(false);
            await EnsureAsync(4, ct, "metadata type").ConfigureAwait(false);
            var type = (GgufValueType)ReadUInt32();
            GgufValue value = await ReadValueAsync(type, key, ct).ConfigureAwait(false);
            if (!metadata.TryAdd(key, value))
            {
                throw new GgufFormatException($"Corrupt GGUF file: the metadata key '{key}' appears twice.");
            }
        }

        int alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out GgufValue? alignValue))
        {
            long a = alignValue.Value is uint or int or ulong or long or ushort or short or byte or sbyte ? alignValue.AsInt64() : 0;
            if (a <= 0 || a > 1 << 20 || (a & (a - 1)) != 0)
            {
                throw new GgufFormatException($"Corrupt GGUF file: general.alignment {alignValue} is not a power of two.");
            }

            alignment = (int)a;
        }

        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        for (ulong i = 0; i < tensorCount; i++)
        {
            tensors.Add(await ReadTensorInfoAsync(alignment, ct).ConfigureAwait(false));
        }

        // llama.cpp requires the tensor data to follow each other in order, each padded to the alignment.
        long expected = 0;
        foreach (GgufTensorInfo t in tensors)
        {
            if (t.ByteCount is not { } size)
            {
                break;
            }

            if (t.Offset != expected)
            {
                throw new GgufFormatException(
                    $"Corrupt GGUF file: tensor '{t.Name}' has data offset {t.Offset}, expected {expected} (tensor data follow each other in order, padded to {alignment} bytes).");
            }

            expected += (size + alignment - 1) / alignment * alignment;
        }

        long dataOffset = (Position + alignment - 1) / alignment * alignment;
        if (_length is { } length)
        {
            if (tensors.Count > 0 && dataOffset >= length)
            {
                throw new GgufFormatException($"Truncated GGUF file: the tensor data should start at byte {dataOffset}, past the end of the file ({length} bytes).");
            }

            foreach (GgufTensorInfo t in tensors)
            {
                if (t.ByteCount is { } size && dataOffset + t.Offset + size > length)
                {
                    throw new GgufFormatException(
                        $"Truncated GGUF file: tensor '{t.Name}' ends at byte {dataOffset + t.Offset + size}, but the file has {length} bytes.");
                }
            }
        }

        return new GgufFile((int)version, metadata, tensors, alignment, dataOffset, _length);
    }

    private async ValueTask<GgufTensorInfo> ReadTensorInfoAsync(int alignment, CancellationToken ct)
    {
        string name = await ReadStringAsync(ct).ConfigureAwait(false);
        await EnsureAsync(4, ct, "tensor dimension count").ConfigureAwait(false);
        uint nDims = ReadUInt32();
        if (nDims is 0 or > MaxDimensions)
        {
            throw new GgufFormatException($"Corrupt GGUF file: tensor '{name}' has {nDims} dimensions (1 to {MaxDimensions} allowed).");
        }

        await EnsureAsync(((int)nDims * 8) + 12, ct, "tensor info").ConfigureAwait(false);
        long[] dims = new long[nDims];
        for (int d = 0; d < dims.Length; d++)
        {
            ulong dim = ReadUInt64();
            if (dim > int.MaxValue * 64UL)
            {
                throw new GgufFormatException($"Corrupt GGUF file: tensor '{name}' has dimension {dim}.");
            }

            dims[d] = (long)dim;
        }

        var type = (GgmlType)ReadUInt32();
        ulong offset = ReadUInt64();
        if (offset > (ulong)_limit || offset % (ulong)alignment != 0)
        {
            throw new GgufFormatException($"Corrupt GGUF file: tensor '{name}' has data offset {offset} (alignment {alignment}).");
        }

        try
        {
            return new GgufTensorInfo(name, dims, type, (long)offset);
        }
        catch (OverflowException ex)
        {
            throw new GgufFormatException($"Corrupt GGUF file: tensor '{name}' has an impossible shape.", ex);
        }
    }

    private async ValueTask<GgufValue> ReadValueAsync(GgufValueType type, string key, CancellationToken ct)
    {
        if (type == GgufValueType.String)
        {
            return new GgufValue(type, await ReadStringAsync(ct).ConfigureAwait(false));
        }

        if (type == GgufValueType.Array)
        {
            return await ReadArrayAsync(key, ct).ConfigureAwait(false);
        }

        int size = ScalarSize(type, key);
        await EnsureAsync(size, ct, "value of " + key).ConfigureAwait(false);
        ReadOnlySpan<byte> s = _buffer.AsSpan(_pos, size);
        object value = type switch
        {
            GgufValueType.UInt8 => s[0],
            GgufValueType.Int8 => (sbyte)s[0],
            GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(s),
            GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(s),
            GgufValueType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(s),
            GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(s),
            GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(s),
            GgufValueType.Bool => s[0] != 0,
            GgufValueType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(s),
            GgufValueType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(s),
            _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
        };
        _pos += size;
        return new GgufValue(type, value);
    }

    private async ValueTask<GgufValue> ReadArrayAsync(string key, CancellationToken ct)
    {
        await EnsureAsync(12, ct, "array header of " + key).ConfigureAwait(false);
        var elementType = (GgufValueType)ReadUInt32();
        ulong count = ReadUInt64();
        int minSize = elementType switch
        {
            GgufValueType.String => 8,
            GgufValueType.Array => 12,
            _ => ScalarSize(elementType, key),
        };
        CheckCount(count, minSize, $"elements in the array '{key}'");
        int n = (int)count;

        switch (elementType)
        {
            case GgufValueType.String:
                string[] strings = new string[n];
                for (int i = 0; i < n; i++)
                {
                    strings[i] = await ReadStringAsync(ct).ConfigureAwait(false);
                }

                return new GgufValue(GgufValueType.Array, strings, elementType);
            case GgufValueType.Array:
                var nested = new GgufValue[n];
                for (int i = 0; i < n; i++)
                {
                    nested[i] = await ReadArrayAsync(key, ct).ConfigureAwait(false);
                }

                return new GgufValue(GgufValueType.Array, nested, elementType);
        }

        byte[] raw = await ReadBytesAsync((long)n * minSize, ct).ConfigureAwait(false);
        Array items = elementType switch
        {
            GgufValueType.UInt8 => raw,
            GgufValueType.Int8 => MemoryMarshal.Cast<byte, sbyte>(raw).ToArray(),
            GgufValueType.UInt16 => MemoryMarshal.Cast<byte, ushort>(raw).ToArray(),
            GgufValueType.Int16 => MemoryMarshal.Cast<byte, short>(raw).ToArray(),
            GgufValueType.UInt32 => MemoryMarshal.Cast<byte, uint>(raw).ToArray(),
            GgufValueType.Int32 => MemoryMarshal.Cast<byte, int>(raw).ToArray(),
            GgufValueType.Float32 => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
            GgufValueType.Bool => Array.ConvertAll(raw, b => b != 0),
            GgufValueType.UInt64 => MemoryMarshal.Cast<byte, ulong>(raw).ToArray(),
            GgufValueType.Int64 => MemoryMarshal.Cast<byte, long>(raw).ToArray(),
            _ => MemoryMarshal.Cast<byte, double>(raw).ToArray(),
        };
        return new GgufValue(GgufValueType.Array, items, elementType);
    }

    private static int ScalarSize(GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => throw new GgufFormatException($"Corrupt GGUF file: metadata '{key}' has unknown value type {(int)type}."),
    };

    private void CheckCount(ulong count, int minBytesEach, string what)
    {
        if (count > (ulong)Array.MaxLength || count * (ulong)minBytesEach > (ulong)Math.Max(0, Remaining))
        {
            throw new GgufFormatException(
                $"Corrupt or truncated GGUF file: {count} {what} at byte {Position} cannot fit in the remaining {Remaining} bytes.");
        }
    }

    private async ValueTask<string> ReadStringAsync(CancellationToken ct)
    {
        await EnsureAsync(8, ct, "string length").ConfigureAwait(false);
        ulong length = ReadUInt64();
        if (length > (ulong)Math.Max(0, Remaining) || length > int.MaxValue)
        {
            throw new GgufFormatException(
                $"Corrupt or truncated GGUF file: a string of {length} bytes at byte {Position} exceeds the remaining {Remaining} bytes.");
        }

        int n = (int)length;
        if (n <= _buffer.Length)
        {
            await EnsureAsync(n, ct, "string").ConfigureAwait(false);
            string s = Encoding.UTF8.GetString(_buffer, _pos, n);
            _pos += n;
            return s;
        }

        return Encoding.UTF8.GetString(await ReadBytesAsync(n, ct).ConfigureAwait(false));
    }

    private async ValueTask<byte[]> ReadBytesAsync(long count, CancellationToken ct)
    {
        if (count > Remaining)
        {
            throw new GgufFormatException($"Truncated GGUF file: {count} bytes needed at byte {Position}, {Remaining} remain.");
        }

        byte[] result = new byte[count];
        int fromBuffer = (int)Math.Min(count, _len - _pos);
        _buffer.AsSpan(_pos, fromBuffer).CopyTo(result);
        _pos += fromBuffer;
        if (fromBuffer < count)
        {
            try
            {
                await _stream.ReadExactlyAsync(result.AsMemory(fromBuffer), ct).ConfigureAwait(false);
            }
            catch (EndOfStreamException ex)
            {
                throw new GgufFormatException($"Truncated GGUF file: the file ends inside a {count}-byte value.", ex);
            }

            // Everything consumed so far now lies before the (empty) buffer.
            _bufferStart += _len + (count - fromBuffer);
            _pos = 0;
            _len = 0;
        }

        return result;
    }

    private ValueTask EnsureAsync(int count, CancellationToken ct, string what) =>
        _len - _pos >= count ? ValueTask.CompletedTask : FillAsync(count, ct, what);

    private async ValueTask FillAsync(int count, CancellationToken ct, string what)
    {
        int kept = _len - _pos;
        Buffer.BlockCopy(_buffer, _pos, _buffer, 0, kept);
        _bufferStart += _pos;
        _pos = 0;
        _len = kept;
        while (_len < count)
        {
            int read = await _stream.ReadAsync(_buffer.AsMemory(_len), ct).ConfigureAwait(false);
            if (read == 0)
            {
                throw new GgufFormatException($"Truncated GGUF file: it ends at byte {Position + _len} while reading the {what}.");
            }

            _len += read;
        }
    }

    private uint ReadUInt32()
    {
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_pos));
        _pos += 4;
        return v;
    }

    private ulong ReadUInt64()
    {
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_pos));
        _pos += 8;
        return v;
    }
}
