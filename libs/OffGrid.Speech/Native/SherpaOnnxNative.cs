using System.Runtime.InteropServices;

namespace OffGrid.Speech.Native;

/// <summary>
/// The parts of sherpa-onnx's C API (<c>sherpa-onnx/c-api/c-api.h</c>, npm <c>sherpa-onnx-linux-x64@1.13.8</c>) that
/// offline VITS/Piper synthesis needs. The library is resolved by <see cref="SherpaOnnxRuntime"/>.
/// </summary>
internal static unsafe partial class SherpaOnnxNative
{
    public const string Library = "sherpa-onnx-c-api";

    /// <summary>Creates an engine; <see cref="IntPtr.Zero"/> when the configuration is invalid (a file missing). The strings are copied.</summary>
    [LibraryImport(Library)]
    public static partial IntPtr SherpaOnnxCreateOfflineTts(in SherpaOnnxOfflineTtsConfig config);

    [LibraryImport(Library)]
    public static partial void SherpaOnnxDestroyOfflineTts(IntPtr tts);

    [LibraryImport(Library)]
    public static partial int SherpaOnnxOfflineTtsSampleRate(IntPtr tts);

    [LibraryImport(Library)]
    public static partial int SherpaOnnxOfflineTtsNumSpeakers(IntPtr tts);

    /// <summary>Generates speech; the callback gets each chunk and returns 0 to stop early. Free the result with <see cref="SherpaOnnxDestroyOfflineTtsGeneratedAudio"/>.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial SherpaOnnxGeneratedAudio* SherpaOnnxOfflineTtsGenerateWithConfig(
        IntPtr tts, string text, in SherpaOnnxGenerationConfig config, delegate* unmanaged[Cdecl]<float*, int, float, IntPtr, int> callback, IntPtr arg);

    [LibraryImport(Library)]
    public static partial void SherpaOnnxDestroyOfflineTtsGeneratedAudio(SherpaOnnxGeneratedAudio* audio);

    [LibraryImport(Library)]
    public static partial IntPtr SherpaOnnxGetVersionStr();
}

/// <summary><c>SherpaOnnxOfflineTtsVitsModelConfig</c> (56 bytes on 64-bit).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SherpaOnnxOfflineTtsVitsModelConfig
{
    public IntPtr Model;
    public IntPtr Lexicon;
    public IntPtr Tokens;
    public IntPtr DataDir;
    public float NoiseScale;
    public float NoiseScaleW;
    public float LengthScale;
    public IntPtr DictDir;
}

/// <summary>
/// <c>SherpaOnnxOfflineTtsConfig</c> with its <c>SherpaOnnxOfflineTtsModelConfig</c> inlined: VITS first, then the
/// thread count, debug flag and provider; the other model families (Matcha, Kokoro, Kitten, ZipVoice, Pocket,
/// Supertonic, 344 bytes) stay zero, which the C API reads as "not configured". Offsets from the header, checked in tests.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 448)]
internal struct SherpaOnnxOfflineTtsConfig
{
    [FieldOffset(0)]
    public SherpaOnnxOfflineTtsVitsModelConfig Vits;

    [FieldOffset(56)]
    public int NumThreads;

    [FieldOffset(60)]
    public int Debug;

    [FieldOffset(64)]
    public IntPtr Provider;

    [FieldOffset(416)]
    public IntPtr RuleFsts;

    [FieldOffset(424)]
    public int MaxNumSentences;

    [FieldOffset(432)]
    public IntPtr RuleFars;

    [FieldOffset(440)]
    public float SilenceScale;
}

/// <summary><c>SherpaOnnxGenerationConfig</c> (56 bytes on 64-bit); reference audio and extras stay zero for VITS.</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal struct SherpaOnnxGenerationConfig
{
    [FieldOffset(0)]
    public float SilenceScale;

    [FieldOffset(4)]
    public float Speed;

    [FieldOffset(8)]
    public int Sid;

    [FieldOffset(16)]
    public IntPtr ReferenceAudio;

    [FieldOffset(24)]
    public int ReferenceAudioLength;

    [FieldOffset(28)]
    public int ReferenceSampleRate;

    [FieldOffset(32)]
    public IntPtr ReferenceText;

    [FieldOffset(40)]
    public int NumSteps;

    [FieldOffset(48)]
    public IntPtr Extra;
}

/// <summary><c>SherpaOnnxGeneratedAudio</c>: mono samples in [-1, 1] owned by the library.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SherpaOnnxGeneratedAudio
{
    public float* Samples;
    public int Count;
    public int SampleRate;
}
