using OffGrid.Speech.Audio;
using OffGrid.Testing.Audio;

namespace OffGrid.Speech.Tests.Audio;

public sealed class AudioEncoderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("wav")]
    [InlineData("mp3")]
    [InlineData("opus")]
    [InlineData("flac")]
    [InlineData("aac")]
    public async Task EncodedAudioDecodesBackToTheSameTone(string format)
    {
        AudioClip tone = await new AudioDecoder().DecodeAsync(new MemoryStream(TestAudio.SineWav(1.5, sampleRate: 22050)), 22050, Ct);

        byte[] encoded = await new AudioEncoder().EncodeAsync(tone, AudioFormat.Parse(format), Ct);
        AudioClip back = await new AudioDecoder().DecodeAsync(new MemoryStream(encoded), 16000, Ct);

        Assert.InRange(back.Duration.TotalSeconds, 1.45, 1.65);
        Assert.InRange(TestAudio.DominantFrequency(back.Samples, back.SampleRate), 430, 450);
    }

    [Fact]
    public async Task PcmIsRawSixteenBitSamples()
    {
        var clip = new AudioClip([0f, 0.5f, -1f, 2f], 24000);

        byte[] pcm = await new AudioEncoder().EncodeAsync(clip, AudioFormat.Pcm, Ct);

        Assert.Equal([0, 0, 0x00, 0x40, 0x01, 0x80, 0xFF, 0x7F], pcm); // 0.5 → 16384, −1 → −32767, 2 clipped to 32767
    }

    [Fact]
    public async Task FormatsNeedingFfmpegAreRefusedClearlyWithoutIt()
    {
        var encoder = new AudioEncoder("/nonexistent/ffmpeg");
        var clip = new AudioClip(new float[100], 16000);

        Assert.Equal(["wav", "pcm"], encoder.AvailableFormats.Select(f => f.Name));
        var error = await Assert.ThrowsAsync<UnsupportedOutputFormatException>(() => encoder.EncodeAsync(clip, AudioFormat.Mp3, Ct));
        Assert.Contains("apt-get install ffmpeg", error.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await encoder.EncodeAsync(clip, AudioFormat.Wav, Ct));
    }

    [Theory]
    [InlineData("MP3", "mp3")]
    [InlineData("audio/mpeg", "mp3")]
    [InlineData(".opus", "opus")]
    [InlineData("audio/x-wav", "wav")]
    [InlineData(null, "wav")]
    public void ParsesNamesMediaTypesAndExtensions(string? text, string expected) => Assert.Equal(expected, AudioFormat.Parse(text).Name);

    [Fact]
    public void UnknownFormatNamesTheKnownOnes()
    {
        var error = Assert.Throws<UnsupportedOutputFormatException>(() => AudioFormat.Parse("midi"));

        Assert.Contains("wav, pcm, mp3, opus, flac, aac", error.Message, StringComparison.Ordinal);
    }
}
