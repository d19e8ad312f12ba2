using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OffGrid.Hub.Gguf;
using OffGrid.Testing;
using OffGrid.Testing.Gguf;
using OffGrid.Testing.Models;

namespace OffGrid.Hub.Tests.Gguf;

public sealed class GgufFileTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDir("gguf");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RoundTripsEveryScalarTypeAndArrays()
    {
        var writer = new GgufWriter()
            .Add("u8", GgufMetadataType.UInt8, (byte)200)
            .Add("i8", GgufMetadataType.Int8, (sbyte)-5)
            .Add("u16", GgufMetadataType.UInt16, (ushort)65000)
            .Add("i16", GgufMetadataType.Int16, (short)-30000)
            .AddUInt32("u32", 4_000_000_000)
            .AddInt32("i32", -123456)
            .AddFloat32("f32", 1.5f)
            .AddBool("flag", true)
            .AddString("text", "héllo ✓")
            .AddUInt64("u64", ulong.MaxValue)
            .Add("i64", GgufMetadataType.Int64, long.MinValue)
            .Add("f64", GgufMetadataType.Float64, Math.PI)
            .AddArray("strings", GgufMetadataType.String, new[] { "a", string.Empty, "ccc" })
            .AddArray("floats", GgufMetadataType.Float32, new[] { 0.5f, -2f })
            .AddArray("ints", GgufMetadataType.Int32, new[] { 1, -2, 3 })
            .AddArray("bools", GgufMetadataType.Bool, new[] { true, false })
            .AddArray("empty", GgufMetadataType.UInt64, Array.Empty<ulong>())
            .AddArray("nested", GgufMetadataType.Array, new[]
            {
                new GgufArray(GgufMetadataType.UInt16, [(ushort)1, (ushort)2]),
                new GgufArray(GgufMetadataType.String, ["x"]),
            });

        GgufFile file = await WriteAndReadAsync(writer);

        Assert.Equal(3, file.Version);
        Assert.Equal(200, file.Metadata["u8"].AsInt64());
        Assert.Equal(-5, file.Metadata["i8"].AsInt64());
        Assert.Equal(65000, file.Metadata["u16"].AsInt64());
        Assert.Equal(-30000, file.Metadata["i16"].AsInt64());
        Assert.Equal(GgufValueType.UInt32, file.Metadata["u32"].Type);
        Assert.Equal(4_000_000_000, file.Metadata["u32"].AsInt64());
        Assert.Equal(-123456, file.Metadata["i32"].AsInt64());
        Assert.Equal(1.5, file.Metadata["f32"].AsDouble());
        Assert.True(file.Metadata["flag"].AsBoolean());
        Assert.Equal("héllo ✓", file.GetString("text"));
        Assert.Equal(ulong.MaxValue, file.Metadata["u64"].Value);
        Assert.Throws<OverflowException>(() => file.Metadata["u64"].AsInt64());
        Assert.Equal(long.MinValue, file.GetInt64("i64"));
        Assert.Equal(Math.PI, file.Metadata["f64"].AsDouble());
        Assert.Equal(["a", string.Empty, "ccc"], file.Metadata["strings"].AsArray<string>());
        Assert.Equal([0.5f, -2f], file.Metadata["floats"].AsArray<float>());
        Assert.Equal([1L, -2L, 3L], file.Metadata["ints"].AsInt64Array());
        Assert.Equal([true, false], file.Metadata["bools"].AsArray<bool>());
        Assert.Equal(0, file.Metadata["empty"].Count);
        IReadOnlyList<GgufValue> nested = file.Metadata["nested"].AsArray<GgufValue>();
        Assert.Equal([(ushort)1, (ushort)2], nested[0].AsArray<ushort>());
        Assert.Equal("x", nested[1].AsArray<string>()[0]);
        Assert.Throws<InvalidCastException>(() => file.Metadata["text"].AsInt64());
    }

    [Theory]
    [InlineData(GgmlType.F32, 32)]
    [InlineData(GgmlType.F16, 32)]
    [InlineData(GgmlType.Q8_0, 64)]
    public async Task RoundTripsTensorInfosAndData(GgmlType expected, int alignment)
    {
        var stored = (GgufTensorType)(uint)expected;
        float[] weights = RandomFloats(64 * 3, seed: 1);
        float[] norm = RandomFloats(64, seed: 2);
        var writer = new GgufWriter(alignment)
            .AddString("general.architecture", "llama")
            .AddTensor("blk.0.ffn.weight", [64, 3], weights, stored)
            .AddTensor("blk.0.norm.weight", [64], norm);
        string path = Path.Combine(_dir, "t.gguf");
        writer.Write(path);

        GgufFile file = await GgufFile.ReadAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(alignment, file.Alignment);
        Assert.Equal(0, file.DataOffset % alignment);
        GgufTensorInfo w = file.Tensors[0];
        Assert.Equal("blk.0.ffn.weight", w.Name);
        Assert.Equal([64L, 3L], w.Dimensions);
        Assert.Equal(expected, w.Type);
        Assert.Equal(192, w.ElementCount);
        Assert.Equal(GgmlTypeLayout.GetByteCount(expected, 192), w.ByteCount);
        Assert.Equal(0, file.Tensors[1].Offset % alignment);
        Assert.Equal(256, file.ParameterCount);
        Assert.Equal(expected.ToString(), file.QuantizationLabel);

        byte[] bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        ReadOnlySpan<byte> data = bytes.AsSpan((int)(file.DataOffset + w.Offset), (int)w.ByteCount!.Value);
        float[] decoded = expected switch
        {
            GgmlType.F32 => MemoryMarshal.Cast<byte, float>(data).ToArray(),
            GgmlType.F16 => MemoryMarshal.Cast<byte, Half>(data).ToArray().Select(h => (float)h).ToArray(),
            _ => GgufWriter.DecodeQ8_0(data),
        };
        float tolerance = expected switch { GgmlType.F32 => 0f, GgmlType.F16 => 1e-3f, _ => 0.02f };
        for (int i = 0; i < weights.Length; i++)
        {
            Assert.InRange(decoded[i], weights[i] - tolerance, weights[i] + tolerance);
        }

        ReadOnlySpan<byte> normData = bytes.AsSpan((int)(file.DataOffset + file.Tensors[1].Offset), 64 * 4);
        Assert.Equal(norm, MemoryMarshal.Cast<byte, float>(normData).ToArray());
    }

    [Fact]
    public async Task ExposesModelAccessors()
    {
        var writer = new GgufWriter()
            .AddString("general.architecture", "qwen2")
            .AddString("general.name", "Tiny")
            .AddUInt32("general.file_type", 15)
            .AddUInt32("qwen2.context_length", 32768)
            .AddUInt32("qwen2.embedding_length", 128)
            .AddUInt32("qwen2.block_count", 2)
            .AddUInt32("qwen2.attention.head_count", 8)
            .AddArray("qwen2.attention.head_count_kv", GgufMetadataType.UInt32, new uint[] { 2, 4 })
            .AddString("tokenizer.ggml.model", "gpt2")
            .AddString("tokenizer.chat_template", "{{ messages }}")
            .AddUInt32("tokenizer.ggml.bos_token_id", 1)
            .AddUInt32("tokenizer.ggml.eos_token_id", 2)
            .AddArray("tokenizer.ggml.tokens", GgufMetadataType.String, new[] { "a", "b", "c" });

        GgufFile file = await WriteAndReadAsync(writer);

        Assert.Equal("qwen2", file.Architecture);
        Assert.Equal("Tiny", file.Name);
        Assert.Equal("Q4_K_M", file.QuantizationLabel);
        Assert.Equal(32768, file.ContextLength);
        Assert.Equal(128, file.EmbeddingLength);
        Assert.Equal(2, file.BlockCount);
        Assert.Equal(8, file.HeadCount);
        Assert.Equal(4, file.HeadCountKv);
        Assert.Equal(2, file.GetPerLayerInt64("attention.head_count_kv", 0));
        Assert.Equal("gpt2", file.TokenizerModel);
        Assert.Equal("{{ messages }}", file.ChatTemplate);
        Assert.Equal(1, file.BosTokenId);
        Assert.Equal(2, file.EosTokenId);
        Assert.Equal(3, file.VocabSize);
    }

    [Fact]
    public async Task ReadsStories260K()
    {
        GgufFile file = await GgufFile.ReadAsync(TestPaths.Stories260K, TestContext.Current.CancellationToken);

        Assert.Equal("llama", file.Architecture);
        Assert.Equal(512, file.VocabSize);
        Assert.Equal("llama", file.TokenizerModel);
        Assert.Null(file.ChatTemplate);
        Assert.Equal(48, file.Tensors.Count);
        Assert.Equal(file.FileLength, new FileInfo(TestPaths.Stories260K).Length);
        Assert.Equal(file.FileLength, file.DataOffset + file.Tensors.Max(t => t.Offset + t.ByteCount!.Value));
        Assert.InRange(file.ParameterCount, 200_000, 300_000);
        Assert.NotNull(file.QuantizationLabel);
        Assert.True(file.BlockCount > 0);
        Assert.True(file.ContextLength > 0);
    }

    [Fact]
    public async Task ReadsFromNonSeekableStream()
    {
        byte[] bytes = await File.ReadAllBytesAsync(TestPaths.Stories260K, TestContext.Current.CancellationToken);
        using var stream = new ForwardOnlyStream(bytes);

        GgufFile file = await GgufFile.ReadAsync(stream, TestContext.Current.CancellationToken);

        Assert.Null(file.FileLength);
        Assert.Equal(512, file.VocabSize);
    }

    [Fact]
    public async Task RejectsTruncatedFile()
    {
        byte[] bytes = await File.ReadAllBytesAsync(TestPaths.Stories260K, TestContext.Current.CancellationToken);
        foreach (int length in new[] { 3, 20, 5000, bytes.Length - 10 })
        {
            string path = Path.Combine(_dir, $"cut{length}.gguf");
            await File.WriteAllBytesAsync(path, bytes.AsMemory(0, length), TestContext.Current.CancellationToken);

            var ex = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(path, TestContext.Current.CancellationToken));
            Assert.Contains("runcated", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SplitModelIsReadWholeFromAnyPart()
    {
        GgufWriter writer = TestLlamaModels.CreateWriter(new TestLlamaModelSpec());
        string single = Path.Combine(_dir, "whole.gguf");
        writer.Write(single);
        IReadOnlyList<string> parts = writer.WriteSplit(Path.Combine(_dir, "model"), 3);
        Assert.Equal(Path.Combine(_dir, "model-00002-of-00003.gguf"), parts[1]);

        GgufFile whole = await GgufFile.ReadAsync(single, TestContext.Current.CancellationToken);
        GgufFile firstPart = await GgufFile.ReadAsync(parts[0], TestContext.Current.CancellationToken);
        Assert.True(firstPart.Tensors.Count < whole.Tensors.Count || firstPart.PartPaths.Count == 3);
        foreach (string part in parts)
        {
            GgufFile split = await GgufFile.ReadAsync(part, TestContext.Current.CancellationToken);
            Assert.Equal(parts, split.PartPaths);
            Assert.Equal(whole.ParameterCount, split.ParameterCount);
            Assert.Equal(whole.TensorDataBytes, split.TensorDataBytes);
            Assert.Equal(whole.Tensors.Select(t => t.Name), split.Tensors.Select(t => t.Name));
            Assert.Equal([0, 1, 2], split.Tensors.Select(t => t.Part).Distinct());
            Assert.Equal(parts.Sum(p => new FileInfo(p).Length), split.FileLength);
            Assert.Equal(whole.Architecture, split.Architecture);
            Assert.Equal(whole.VocabSize, split.VocabSize);
            Assert.Equal(ModelMemoryEstimate.Create(whole).TotalBytes, ModelMemoryEstimate.Create(split).TotalBytes);
        }

        Assert.Equal([single], whole.PartPaths);
    }

    [Fact]
    public async Task SplitModelWithAMissingOrMisnamedPartIsRejectedNamingIt()
    {
        IReadOnlyList<string> parts = TestLlamaModels.CreateWriter(new TestLlamaModelSpec()).WriteSplit(Path.Combine(_dir, "model"), 2);
        string renamed = Path.Combine(_dir, "renamed.gguf");
        File.Copy(parts[0], renamed);
        File.Delete(parts[1]);

        var missing = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(parts[0], TestContext.Current.CancellationToken));
        Assert.StartsWith(parts[1] + ": part 2 of 2", missing.Message, StringComparison.Ordinal);
        var misnamed = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(renamed, TestContext.Current.CancellationToken));
        Assert.Contains("-00001-of-00002.gguf", misnamed.Message, StringComparison.Ordinal);
    }

    // llama.cpp refuses tensor data that does not follow on in order; the reader says which tensor and what was expected.
    [Fact]
    public async Task TensorDataOutOfPlaceIsRejectedLikeLlamaCpp()
    {
        byte[] bytes = WriteToBytes(new GgufWriter()
            .AddString("general.architecture", "llama")
            .AddTensor("a.weight", [8], new float[8])
            .AddTensor("b.weight", [8], new float[8]));
        byte[] name = "b.weight"u8.ToArray();
        int at = bytes.AsSpan().IndexOf(name) + name.Length + 4 + 8 + 4;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 64);
        string path = Path.Combine(_dir, "gap.gguf");
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains("tensor 'b.weight' has data offset 64, expected 32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataStartingPastTheEndOfTheFileSaysSo()
    {
        var writer = new GgufWriter().AddString("general.architecture", "llama").AddTensor("a.weight", [8], new float[8]);
        byte[] bytes = WriteToBytes(writer);
        string path = Path.Combine(_dir, "header-only.gguf");
        await File.WriteAllBytesAsync(path, bytes.AsMemory(0, bytes.Length - 32), TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains("past the end of the file", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsNonGgufFile()
    {
        string path = Path.Combine(_dir, "readme.txt");
        await File.WriteAllTextAsync(path, "This is not a model file at all.", TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(path, TestContext.Current.CancellationToken));
        Assert.Contains("Not a GGUF file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadsVersion2()
    {
        byte[] bytes = WriteToBytes(new GgufWriter().AddString("general.architecture", "llama"));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 2);

        GgufFile file = await GgufFile.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);

        Assert.Equal(2, file.Version);
        Assert.Equal("llama", file.Architecture);
    }

    [Theory]
    [InlineData(1u, "version 1")]
    [InlineData(4u, "version 4")]
    [InlineData(0x03000000u, "Big-endian")]
    public async Task RejectsUnsupportedVersions(uint version, string expected)
    {
        byte[] bytes = WriteToBytes(new GgufWriter().AddString("general.architecture", "llama"));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), version);

        var ex = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8)] // tensor count
    [InlineData(16)] // metadata count
    [InlineData(24)] // first key length
    public async Task CorruptLengthsFailWithoutHugeAllocations(int offset)
    {
        byte[] bytes = WriteToBytes(new GgufWriter().AddString("general.architecture", "llama")
            .AddArray("tokenizer.ggml.tokens", GgufMetadataType.String, new[] { "a" }));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offset), 1UL << 60);

        var ex = await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken));
        Assert.Contains("remaining", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptArrayCountFails()
    {
        byte[] bytes = WriteToBytes(new GgufWriter().AddArray("xs", GgufMetadataType.Float32, new[] { 1f, 2f }));
        int countOffset = 24 + 8 + 2 + 4 + 4; // header, key length, "xs", value type, element type
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(countOffset)));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(countOffset), 1UL << 40);

        await Assert.ThrowsAsync<GgufFormatException>(() => GgufFile.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ReadsLongStringsAndLargeArraysAcrossBufferBoundaries()
    {
        string longText = new('x', 200_000);
        string[] tokens = Enumerable.Range(0, 50_000).Select(i => "tok" + i).ToArray();
        GgufFile file = await WriteAndReadAsync(new GgufWriter()
            .AddString("tokenizer.chat_template", longText)
            .AddArray("tokenizer.ggml.tokens", GgufMetadataType.String, tokens)
            .AddArray("tokenizer.ggml.scores", GgufMetadataType.Float32, Enumerable.Range(0, 50_000).Select(i => (float)i)));

        Assert.Equal(longText, file.ChatTemplate);
        Assert.Equal(tokens, file.Metadata["tokenizer.ggml.tokens"].AsArray<string>());
        Assert.Equal(49_999f, file.Metadata["tokenizer.ggml.scores"].AsArray<float>()[^1]);
    }

    [Fact]
    public async Task DominantTensorTypeGivesLabelWithoutFileType()
    {
        GgufFile file = await WriteAndReadAsync(new GgufWriter()
            .AddTensor("a", [32, 4], RandomFloats(128, 3), GgufTensorType.Q8_0)
            .AddTensor("b", [32, 2], RandomFloats(64, 4), GgufTensorType.F16)
            .AddTensor("norm", [512], RandomFloats(512, 5)));

        Assert.Null(file.FileType);
        Assert.Equal("Q8_0", file.QuantizationLabel);
    }

    internal static float[] RandomFloats(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static byte[] WriteToBytes(GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.Write(stream);
        return stream.ToArray();
    }

    private static Task<GgufFile> WriteAndReadAsync(GgufWriter writer) =>
        GgufFile.ReadAsync(new MemoryStream(WriteToBytes(writer)), TestContext.Current.CancellationToken);

    private sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
