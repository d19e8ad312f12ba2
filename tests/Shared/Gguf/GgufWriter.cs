using System.Buffers.Binary;
using System.Text;

namespace OffGrid.Testing.Gguf;

/// <summary>
/// Writes GGUF v3 files for tests: metadata of every type (arrays and nested arrays included) and tensors
/// stored as F32, F16, Q8_0 or Q4_0 from float data, or as raw bytes of any ggml type. Independent of the product
/// code so that it can check the reader from the outside and serve every test project.
/// </summary>
internal sealed class GgufWriter
{
    private const int Q8BlockSize = 32;
    private const int Q4BlockSize = 32;

    private readonly List<(string Key, GgufMetadataType Type, object Value)> _metadata = [];
    private readonly List<(string Name, long[] Dims, uint Type, byte[] Data)> _tensors = [];

    /// <summary>Creates a writer; an alignment other than 32 is also written as <c>general.alignment</c>.</summary>
    public GgufWriter(int alignment = 32)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), "The alignment must be a power of two.");
        }

        Alignment = alignment;
        if (alignment != 32)
        {
            Add("general.alignment", GgufMetadataType.UInt32, (uint)alignment);
        }
    }

    public int Alignment { get; }

    /// <summary>Adds a metadata entry; <paramref name="value"/> must be the CLR type matching <paramref name="type"/> (or a <see cref="GgufArray"/>).</summary>
    public GgufWriter Add(string key, GgufMetadataType type, object value)
    {
        _metadata.Add((key, type, value));
        return this;
    }

    public GgufWriter AddString(string key, string value) => Add(key, GgufMetadataType.String, value);

    public GgufWriter AddUInt32(string key, uint value) => Add(key, GgufMetadataType.UInt32, value);

    public GgufWriter AddInt32(string key, int value) => Add(key, GgufMetadataType.Int32, value);

    public GgufWriter AddUInt64(string key, ulong value) => Add(key, GgufMetadataType.UInt64, value);

    public GgufWriter AddFloat32(string key, float value) => Add(key, GgufMetadataType.Float32, value);

    public GgufWriter AddBool(string key, bool value) => Add(key, GgufMetadataType.Bool, value);

    public GgufWriter AddArray<T>(string key, GgufMetadataType elementType, IEnumerable<T> items)
        where T : notnull =>
        Add(key, GgufMetadataType.Array, new GgufArray(elementType, items.Cast<object>().ToList()));

    /// <summary>Adds a tensor from float data; <paramref name="dims"/> are ggml-ordered (innermost first).</summary>
    public GgufWriter AddTensor(string name, long[] dims, ReadOnlySpan<float> data, GgufTensorType type = GgufTensorType.F32)
    {
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != data.Length)
        {
            throw new ArgumentException($"Tensor {name}: {data.Length} values for shape [{string.Join(", ", dims)}].", nameof(data));
        }

        byte[] bytes = type switch
        {
            GgufTensorType.F32 => EncodeF32(data),
            GgufTensorType.F16 => EncodeF16(data),
            GgufTensorType.Q8_0 => EncodeQ8_0(data, dims[0]),
            GgufTensorType.Q4_0 => EncodeQ4_0(data, dims[0]),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        return AddRawTensor(name, dims, (uint)type, bytes);
    }

    /// <summary>Adds a tensor whose data is already encoded in ggml type <paramref name="ggmlType"/>.</summary>
    public GgufWriter AddRawTensor(string name, long[] dims, uint ggmlType, byte[] data)
    {
        _tensors.Add((name, dims, ggmlType, data));
        return this;
    }

    /// <summary>Leaves out the tensor <paramref name="name"/> (for tests of models that miss one).</summary>
    public GgufWriter WithoutTensor(string name)
    {
        _tensors.RemoveAll(t => t.Name == name);
        return this;
    }

    /// <summary>
    /// Writes the model in <paramref name="parts"/> files the way llama.cpp's gguf-split does:
    /// <c>&lt;prefix&gt;-00001-of-0000N.gguf</c> holds every metadata entry, the others only the <c>split.*</c> keys, and the
    /// tensors are spread over the parts in order. Returns the paths, first part first.
    /// </summary>
    public IReadOnlyList<string> WriteSplit(string prefix, int parts)
    {
        var paths = new List<string>();
        int perPart = (_tensors.Count + parts - 1) / parts;
        for (int i = 0; i < parts; i++)
        {
            var part = new GgufWriter(Alignment);
            if (i == 0)
            {
                part._metadata.AddRange(_metadata.Where(m => m.Key != "general.alignment"));
            }

            part.Add("split.no", GgufMetadataType.UInt16, (ushort)i)
                .Add("split.count", GgufMetadataType.UInt16, (ushort)parts)
                .Add("split.tensors.count", GgufMetadataType.Int32, _tensors.Count);
            part._tensors.AddRange(_tensors.Skip(i * perPart).Take(perPart));
            string path = $"{prefix}-{i + 1:D5}-of-{parts:D5}.gguf";
            part.Write(path);
            paths.Add(path);
        }

        return paths;
    }

    public void Write(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(file);
    }

    public void Write(Stream stream)
    {
        var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach ((string key, GgufMetadataType type, object value) in _metadata)
        {
            WriteString(w, key);
            w.Write((uint)type);
            WriteValue(w, type, value);
        }

        long offset = 0;
        var offsets = new List<long>(_tensors.Count);
        foreach ((string name, long[] dims, uint type, byte[] data) in _tensors)
        {
            WriteString(w, name);
            w.Write((uint)dims.Length);
            foreach (long d in dims)
            {
                w.Write((ulong)d);
            }

            w.Write(type);
            w.Write((ulong)offset);
            offsets.Add(offset);
            offset = Align(offset + data.Length);
        }

        w.Flush();
        long dataStart = Align(stream.Position);
        Pad(w, dataStart - stream.Position);
        for (int i = 0; i < _tensors.Count; i++)
        {
            Pad(w, dataStart + offsets[i] - stream.Position);
            w.Write(_tensors[i].Data);
        }

        w.Flush();
    }

    /// <summary>Quantizes rows of <paramref name="rowLength"/> floats to Q8_0: blocks of 32 with an fp16 scale and 32 signed bytes.</summary>
    public static byte[] EncodeQ8_0(ReadOnlySpan<float> data, long rowLength)
    {
        if (rowLength % Q8BlockSize != 0)
        {
            throw new ArgumentException($"Q8_0 needs rows that are a multiple of {Q8BlockSize}; got {rowLength}.", nameof(rowLength));
        }

        int blocks = data.Length / Q8BlockSize;
        byte[] output = new byte[blocks * 34];
        for (int b = 0; b < blocks; b++)
        {
            ReadOnlySpan<float> block = data.Slice(b * Q8BlockSize, Q8BlockSize);
            float amax = 0;
            foreach (float x in block)
            {
                amax = Math.Max(amax, Math.Abs(x));
            }

            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            Span<byte> dst = output.AsSpan(b * 34, 34);
            BinaryPrimitives.WriteUInt16LittleEndian(dst, BitConverter.HalfToUInt16Bits((Half)d));
            for (int i = 0; i < Q8BlockSize; i++)
            {
                dst[2 + i] = (byte)(sbyte)Math.Round(block[i] * id, MidpointRounding.AwayFromZero);
            }
        }

        return output;
    }

    /// <summary>
    /// Quantizes rows of <paramref name="rowLength"/> floats to Q4_0 as ggml's reference quantizer does: blocks of 32
    /// with an fp16 scale (the value of largest magnitude over -8) and 16 bytes whose low nibbles hold values 0–15 and
    /// high nibbles values 16–31, each stored plus 8.
    /// </summary>
    public static byte[] EncodeQ4_0(ReadOnlySpan<float> data, long rowLength)
    {
        if (rowLength % Q4BlockSize != 0)
        {
            throw new ArgumentException($"Q4_0 needs rows that are a multiple of {Q4BlockSize}; got {rowLength}.", nameof(rowLength));
        }

        const int BlockBytes = 2 + (Q4BlockSize / 2);
        int blocks = data.Length / Q4BlockSize;
        byte[] output = new byte[blocks * BlockBytes];
        for (int b = 0; b < blocks; b++)
        {
            ReadOnlySpan<float> block = data.Slice(b * Q4BlockSize, Q4BlockSize);
            float max = 0;
            foreach (float x in block)
            {
                max = Math.Abs(x) > Math.Abs(max) ? x : max;
            }

            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            Span<byte> dst = output.AsSpan(b * BlockBytes, BlockBytes);
            BinaryPrimitives.WriteUInt16LittleEndian(dst, BitConverter.HalfToUInt16Bits((Half)d));
            for (int i = 0; i < Q4BlockSize / 2; i++)
            {
                int low = Math.Min(15, (int)((block[i] * id) + 8.5f));
                int high = Math.Min(15, (int)((block[i + (Q4BlockSize / 2)] * id) + 8.5f));
                dst[2 + i] = (byte)(low | (high << 4));
            }
        }

        return output;
    }

    /// <summary>Decodes Q8_0 data back to floats (for checking quantization error in tests).</summary>
    public static float[] DecodeQ8_0(ReadOnlySpan<byte> data)
    {
        int blocks = data.Length / 34;
        float[] output = new float[blocks * Q8BlockSize];
        for (int b = 0; b < blocks; b++)
        {
            ReadOnlySpan<byte> src = data.Slice(b * 34, 34);
            float d = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(src));
            for (int i = 0; i < Q8BlockSize; i++)
            {
                output[(b * Q8BlockSize) + i] = d * (sbyte)src[2 + i];
            }
        }

        return output;
    }

    private static byte[] EncodeF32(ReadOnlySpan<float> data)
    {
        byte[] bytes = new byte[data.Length * 4];
        for (int i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        }

        return bytes;
    }

    private static byte[] EncodeF16(ReadOnlySpan<float> data)
    {
        byte[] bytes = new byte[data.Length * 2];
        for (int i = 0; i < data.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), BitConverter.HalfToUInt16Bits((Half)data[i]));
        }

        return bytes;
    }

    private long Align(long position) => (position + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w, long count)
    {
        for (long i = 0; i < count; i++)
        {
            w.Write((byte)0);
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteValue(BinaryWriter w, GgufMetadataType type, object value)
    {
        switch (type)
        {
            case GgufMetadataType.UInt8: w.Write(Convert.ToByte(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Int8: w.Write(Convert.ToSByte(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.UInt16: w.Write(Convert.ToUInt16(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Int16: w.Write(Convert.ToInt16(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.UInt32: w.Write(Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Int32: w.Write(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Float32: w.Write(Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Bool: w.Write((byte)((bool)value ? 1 : 0)); break;
            case GgufMetadataType.String: WriteString(w, (string)value); break;
            case GgufMetadataType.UInt64: w.Write(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Int64: w.Write(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Float64: w.Write(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case GgufMetadataType.Array:
                var array = (GgufArray)value;
                w.Write((uint)array.ElementType);
                w.Write((ulong)array.Items.Count);
                foreach (object item in array.Items)
                {
                    WriteValue(w, array.ElementType, item);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown GGUF metadata type.");
        }
    }
}
