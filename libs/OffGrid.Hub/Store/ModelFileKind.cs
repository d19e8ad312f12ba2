using System.Buffers.Binary;

namespace OffGrid.Hub.Store;

/// <summary>The model file formats the store keeps.</summary>
internal enum ModelFileKind
{
    /// <summary>GGUF, or anything unrecognized: the GGUF reader then says what is wrong.</summary>
    Gguf,

    /// <summary>whisper.cpp's GGML model format (magic <c>0x67676d6c</c>): Whisper speech-to-text models.</summary>
    WhisperGgml,

    /// <summary>An ONNX model (<c>.onnx</c>), such as a Piper voice.</summary>
    Onnx,
}

/// <summary>Recognizes a <see cref="ModelFileKind"/> from a file's first bytes (ONNX, a protobuf without magic, from its extension).</summary>
internal static class ModelFileKinds
{
    private const uint GgmlMagic = 0x67676d6c;

    /// <summary>The <see cref="ModelManifest.Architecture"/> the store writes for a Whisper GGML model.</summary>
    public const string WhisperArchitecture = "whisper";

    /// <summary>The <see cref="ModelManifest.Architecture"/> the store writes for an ONNX model (a Piper voice).</summary>
    public const string OnnxArchitecture = "onnx";

    /// <summary>Tells a stored GGUF model (what llama.cpp loads) from a stored speech model.</summary>
    public static bool IsGguf(ModelManifest manifest) => manifest.Architecture is not (WhisperArchitecture or OnnxArchitecture);

    public static ModelFileKind Detect(string path)
    {
        if (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            return ModelFileKind.Onnx;
        }

        Span<byte> head = stackalloc byte[4];
        using FileStream file = File.OpenRead(path);
        return file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && BinaryPrimitives.ReadUInt32LittleEndian(head) == GgmlMagic
            ? ModelFileKind.WhisperGgml
            : ModelFileKind.Gguf;
    }
}
