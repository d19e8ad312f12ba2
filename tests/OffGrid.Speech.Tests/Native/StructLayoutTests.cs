using System.Runtime.InteropServices;
using OffGrid.Speech.Native;

namespace OffGrid.Speech.Tests.Native;

/// <summary>
/// The C# views of sherpa-onnx's structs match its C header (<c>sherpa-onnx/c-api/c-api.h</c> of 1.13.8, whose TTS
/// structs are those of the 1.13.4 source and of the 1.13.8 WebAssembly bindings): sizes and offsets measured by
/// compiling the header with gcc on x86-64.
/// </summary>
public sealed class StructLayoutTests
{
    [Fact]
    public void TtsConfigMatchesTheHeader()
    {
        Assert.Equal(56, Marshal.SizeOf<SherpaOnnxOfflineTtsVitsModelConfig>());
        Assert.Equal(448, Marshal.SizeOf<SherpaOnnxOfflineTtsConfig>());
        Assert.Equal(56, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsConfig>(nameof(SherpaOnnxOfflineTtsConfig.NumThreads)));
        Assert.Equal(64, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsConfig>(nameof(SherpaOnnxOfflineTtsConfig.Provider)));
        Assert.Equal(416, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsConfig>(nameof(SherpaOnnxOfflineTtsConfig.RuleFsts)));
        Assert.Equal(424, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsConfig>(nameof(SherpaOnnxOfflineTtsConfig.MaxNumSentences)));
        Assert.Equal(432, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsConfig>(nameof(SherpaOnnxOfflineTtsConfig.RuleFars)));
        Assert.Equal(440, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsConfig>(nameof(SherpaOnnxOfflineTtsConfig.SilenceScale)));
        Assert.Equal(48, (int)Marshal.OffsetOf<SherpaOnnxOfflineTtsVitsModelConfig>(nameof(SherpaOnnxOfflineTtsVitsModelConfig.DictDir)));
    }

    [Fact]
    public void GenerationStructsMatchTheHeader()
    {
        Assert.Equal(56, Marshal.SizeOf<SherpaOnnxGenerationConfig>());
        Assert.Equal(16, (int)Marshal.OffsetOf<SherpaOnnxGenerationConfig>(nameof(SherpaOnnxGenerationConfig.ReferenceAudio)));
        Assert.Equal(32, (int)Marshal.OffsetOf<SherpaOnnxGenerationConfig>(nameof(SherpaOnnxGenerationConfig.ReferenceText)));
        Assert.Equal(40, (int)Marshal.OffsetOf<SherpaOnnxGenerationConfig>(nameof(SherpaOnnxGenerationConfig.NumSteps)));
        Assert.Equal(48, (int)Marshal.OffsetOf<SherpaOnnxGenerationConfig>(nameof(SherpaOnnxGenerationConfig.Extra)));
        Assert.Equal(16, Marshal.SizeOf<SherpaOnnxGeneratedAudio>());
    }
}
