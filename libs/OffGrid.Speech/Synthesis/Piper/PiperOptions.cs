namespace OffGrid.Speech.Synthesis.Piper;

/// <summary>Settings of <see cref="PiperTextToSpeechClient"/> and of the sherpa-onnx runtime it runs on.</summary>
/// <remarks>Plain settings object; not thread-safe while being configured.</remarks>
public sealed class PiperOptions
{
    /// <summary>Gets or sets a folder that already holds sherpa-onnx's libraries (<c>libsherpa-onnx-c-api.so</c>, <c>libonnxruntime.so</c>); when <see langword="null"/>, the pinned npm package is installed.</summary>
    public string? RuntimeDirectory { get; set; }

    /// <summary>Gets or sets where installed runtimes live; <c>runtime</c> under <c>OFFGRID_HOME</c> when <see langword="null"/>.</summary>
    public string? InstallDirectory { get; set; }

    /// <summary>Gets or sets a local copy of the pinned package (<c>sherpa-onnx-linux-x64-1.13.8.tgz</c>) for air-gapped machines.</summary>
    public string? PackageSource { get; set; }

    /// <summary>Gets or sets whether the runtime may be downloaded from the npm registry this machine is configured for. Default true.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>Gets or sets the npm registry; the machine's npm configuration when <see langword="null"/>.</summary>
    public Uri? RegistryUri { get; set; }

    /// <summary>Gets or sets the espeak-ng data folder Piper's phonemizer reads; the one the installed espeak-ng reports when <see langword="null"/>.</summary>
    public string? EspeakDataDirectory { get; set; }

    /// <summary>Gets or sets the CPU threads per synthesis; default 2.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Gets or sets the ffmpeg program used to write MP3, Opus, FLAC and AAC; <c>ffmpeg</c> on the PATH when <see langword="null"/>.</summary>
    public string? FfmpegPath { get; set; }
}
