using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OffGrid.Speech.Audio;

namespace OffGrid.Speech.Native;

/// <summary>One sherpa-onnx offline TTS engine (one VITS/Piper voice loaded in onnxruntime).</summary>
/// <remarks>Thread-safe: generations on one engine run one at a time. Dispose frees the native engine.</remarks>
internal sealed unsafe class SherpaTtsEngine : IDisposable
{
    private readonly object _gate = new();
    private IntPtr _tts;

    private SherpaTtsEngine(IntPtr tts)
    {
        _tts = tts;
        SampleRate = SherpaOnnxNative.SherpaOnnxOfflineTtsSampleRate(tts);
    }

    /// <summary>Gets the output sample rate in Hz.</summary>
    public int SampleRate { get; }

    /// <summary>Loads a VITS model. The files must exist: sherpa-onnx ends the process on some malformed inputs, so callers check first.</summary>
    /// <exception cref="SpeechEngineException">sherpa-onnx refused the configuration.</exception>
    public static SherpaTtsEngine Create(string model, string tokens, string espeakData, float noiseScale, float noiseW, float lengthScale, int threads)
    {
        IntPtr modelUtf8 = Marshal.StringToCoTaskMemUTF8(model);
        IntPtr tokensUtf8 = Marshal.StringToCoTaskMemUTF8(tokens);
        IntPtr dataUtf8 = Marshal.StringToCoTaskMemUTF8(espeakData);
        IntPtr providerUtf8 = Marshal.StringToCoTaskMemUTF8("cpu");
        try
        {
            var config = new SherpaOnnxOfflineTtsConfig
            {
                Vits = new SherpaOnnxOfflineTtsVitsModelConfig { Model = modelUtf8, Tokens = tokensUtf8, DataDir = dataUtf8, NoiseScale = noiseScale, NoiseScaleW = noiseW, LengthScale = lengthScale },
                NumThreads = threads,
                Provider = providerUtf8,
                MaxNumSentences = 1,
                SilenceScale = 0.2f,
            };
            IntPtr tts = SherpaOnnxNative.SherpaOnnxCreateOfflineTts(config);
            return tts == IntPtr.Zero
                ? throw new SpeechEngineException($"sherpa-onnx could not load the voice '{model}'.")
                : new SherpaTtsEngine(tts);
        }
        finally
        {
            Marshal.FreeCoTaskMem(modelUtf8);
            Marshal.FreeCoTaskMem(tokensUtf8);
            Marshal.FreeCoTaskMem(dataUtf8);
            Marshal.FreeCoTaskMem(providerUtf8);
        }
    }

    /// <summary>Speaks <paramref name="text"/>; blocks until done. Cancellation stops sherpa-onnx at its next chunk.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="SpeechEngineException">Generation failed.</exception>
    public AudioClip Generate(string text, float speed, CancellationToken cancellationToken)
    {
        var token = new StrongBox<CancellationToken>(cancellationToken);
        GCHandle handle = GCHandle.Alloc(token);
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_tts == IntPtr.Zero, this);
                var config = new SherpaOnnxGenerationConfig { Speed = speed, SilenceScale = 0.2f };
                SherpaOnnxGeneratedAudio* audio = SherpaOnnxNative.SherpaOnnxOfflineTtsGenerateWithConfig(_tts, text, config, &OnProgress, GCHandle.ToIntPtr(handle));
                cancellationToken.ThrowIfCancellationRequested();
                if (audio is null)
                {
                    throw new SpeechEngineException("sherpa-onnx produced no audio.");
                }

                try
                {
                    return new AudioClip(new ReadOnlySpan<float>(audio->Samples, audio->Count).ToArray(), audio->SampleRate);
                }
                finally
                {
                    SherpaOnnxNative.SherpaOnnxDestroyOfflineTtsGeneratedAudio(audio);
                }
            }
        }
        finally
        {
            handle.Free();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_tts != IntPtr.Zero)
            {
                SherpaOnnxNative.SherpaOnnxDestroyOfflineTts(_tts);
                _tts = IntPtr.Zero;
            }
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnProgress(float* samples, int count, float progress, IntPtr arg) =>
        ((StrongBox<CancellationToken>)GCHandle.FromIntPtr(arg).Target!).Value.IsCancellationRequested ? 0 : 1;
}
