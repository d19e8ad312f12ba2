using OffGrid.Speech.Audio;
using OffGrid.Testing.Audio;

namespace OffGrid.Speech.Tests.Audio;

public sealed class AudioDecoderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(".wav", AudioContainer.Wav)]
    [InlineData(".mp3", AudioContainer.Mp3)]
    [InlineData(".ogg", AudioContainer.OggVorbis)]
    [InlineData(".opus", AudioContainer.OggOpus)]
    [InlineData(".flac", AudioContainer.Flac)]
    [InlineData(".m4a", AudioContainer.Unknown)]
    public void DetectsContainerFromFirstBytes(string extension, AudioContainer expected)
    {
        byte[] wav = TestAudio.SineWav(0.5);
        byte[] file = extension == ".wav" ? wav : TestAudio.Convert(wav, extension);

        Assert.Equal(expected, AudioDecoder.Detect(file.AsSpan(0, 64)));
    }

    [Theory]
    [InlineData(".wav")] // NAudio, in process
    [InlineData(".mp3")] // NLayer, in process
    [InlineData(".ogg")] // NVorbis, in process
    [InlineData(".flac")] // ffmpeg
    [InlineData(".opus")] // ffmpeg
    [InlineData(".m4a")] // ffmpeg, not recognized from the header
    public async Task DecodesStereo44kToneTo16kMonoKeepingDurationAndPitch(string extension)
    {
        byte[] wav = TestAudio.SineWav(2.0, frequency: 440, sampleRate: 44100, channels: 2);
        byte[] file = extension == ".wav" ? wav : TestAudio.Convert(wav, extension);

        AudioClip clip = await new AudioDecoder().DecodeAsync(new MemoryStream(file), 16000, Ct);

        Assert.Equal(16000, clip.SampleRate);
        Assert.InRange(clip.Duration.TotalSeconds, 1.95, 2.1); // lossy codecs pad a few frames
        Assert.InRange(TestAudio.DominantFrequency(clip.Samples, clip.SampleRate), 430, 450);
        Assert.InRange(clip.Peak, 0.2f, 0.5f); // lossy codecs overshoot a little
    }

    [Fact]
    public async Task KeepsRateWhenAlreadyRight()
    {
        AudioClip clip = await new AudioDecoder().DecodeAsync(new MemoryStream(TestAudio.SineWav(1.0)), 16000, Ct);

        Assert.Equal(16000, clip.Samples.Length);
    }

    [Fact]
    public async Task RejectsEmptyAndDamagedFilesAsCorrupt()
    {
        var decoder = new AudioDecoder();
        byte[] truncatedHeader = TestAudio.SineWav(1.0)[..30];

        await Assert.ThrowsAsync<CorruptAudioException>(() => decoder.DecodeAsync(new MemoryStream([]), 16000, Ct));
        var damaged = await Assert.ThrowsAsync<CorruptAudioException>(() => decoder.DecodeAsync(new MemoryStream(truncatedHeader), 16000, Ct));
        Assert.Equal("corrupt_audio", damaged.Code);
        Assert.Equal("file", damaged.Parameter);

        byte[] flac = TestAudio.Convert(TestAudio.SineWav(1.0), ".flac");
        flac.AsSpan(100).Fill(0x55);
        await Assert.ThrowsAsync<CorruptAudioException>(() => decoder.DecodeAsync(new MemoryStream(flac), 16000, Ct));
    }

    [Fact]
    public async Task RejectsUnknownBytesAsUnsupported()
    {
        byte[] text = "this is not audio at all, just a text file"u8.ToArray();

        var withFfmpeg = await Assert.ThrowsAsync<UnsupportedAudioException>(() => new AudioDecoder().DecodeAsync(new MemoryStream(text), 16000, Ct));
        var without = await Assert.ThrowsAsync<UnsupportedAudioException>(() => NoFfmpeg().DecodeAsync(new MemoryStream(text), 16000, Ct));

        Assert.Contains("ffmpeg cannot read it", withFfmpeg.Message, StringComparison.Ordinal);
        Assert.Contains("install ffmpeg", without.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlacWithoutFfmpegSaysWhatToInstall()
    {
        byte[] flac = TestAudio.Convert(TestAudio.SineWav(1.0), ".flac");

        var error = await Assert.ThrowsAsync<UnsupportedAudioException>(() => NoFfmpeg().DecodeAsync(new MemoryStream(flac), 16000, Ct));

        Assert.Contains("FLAC audio needs ffmpeg", error.Message, StringComparison.Ordinal);
        Assert.Equal("unsupported_audio", error.Code);
    }

    [Theory]
    [InlineData(".wav")]
    [InlineData(".mp3")]
    [InlineData(".flac")]
    public async Task RejectsAudioLongerThanTheLimit(string extension)
    {
        byte[] wav = TestAudio.SineWav(3.0);
        byte[] file = extension == ".wav" ? wav : TestAudio.Convert(wav, extension);
        var decoder = new AudioDecoder(new AudioDecoderOptions { MaxDuration = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<AudioTooLongException>(() => decoder.DecodeAsync(new MemoryStream(file), 16000, Ct));

        Assert.Equal(TimeSpan.FromSeconds(1), error.Limit);
        Assert.Equal("audio_too_long", error.Code);
    }

    private static AudioDecoder NoFfmpeg() => new(new AudioDecoderOptions { FfmpegPath = "/nonexistent/ffmpeg" });
}
