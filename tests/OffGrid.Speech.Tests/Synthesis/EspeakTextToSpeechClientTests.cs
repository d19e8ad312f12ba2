using Microsoft.Extensions.AI;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Synthesis;
using OffGrid.Testing.Audio;

namespace OffGrid.Speech.Tests.Synthesis;

/// <summary>The espeak-ng program from Debian, called for real.</summary>
public sealed class EspeakTextToSpeechClientTests
{
    private readonly EspeakTextToSpeechClient _client = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListsVoicesInManyLanguages()
    {
        IReadOnlyList<SpeechVoice> voices = await _client.GetVoicesAsync(Ct);

        Assert.True(voices.Count >= 100, $"{voices.Count} voices");
        Assert.True(voices.Select(v => v.Languages[0].Split('-')[0]).Distinct().Count() >= 18);
        SpeechVoice us = Assert.Single(voices, v => v.Id == "espeak:en-us");
        Assert.Equal("espeak", us.Engine);
        Assert.True(us.Speaks("en") && us.Speaks("en-US") && !us.Speaks("en-gb"));
        Assert.Contains(voices, v => v.Speaks("de"));
        Assert.Contains(voices, v => v.Speaks("zh"));
    }

    [Fact]
    public async Task SpeaksWavWithTheLengthOfTheText()
    {
        TextToSpeechResponse shortOne = await _client.GetAudioAsync("Hello.", cancellationToken: Ct);
        TextToSpeechResponse longOne = await _client.GetAudioAsync("Hello. This is a much longer sentence, spoken by the voice that needs no download.", cancellationToken: Ct);

        DataContent audio = Assert.IsType<DataContent>(Assert.Single(longOne.Contents));
        Assert.Equal("audio/wav", audio.MediaType);
        Assert.True(audio.Data.Span[..4].SequenceEqual("RIFF"u8));
        AudioClip clip = await new AudioDecoder().DecodeAsync(new MemoryStream(audio.Data.ToArray()), 22050, Ct);
        Assert.InRange(clip.Duration.TotalSeconds, 3, 12);
        Assert.True(clip.Peak > 0.05f);
        Assert.Equal(22050, longOne.AdditionalProperties!["sample_rate"]);
        Assert.True((double)shortOne.AdditionalProperties!["duration"]! < (double)longOne.AdditionalProperties!["duration"]!);
        Assert.Equal("espeak:en-us", longOne.ModelId);
    }

    [Fact]
    public async Task SpeedChangesTheLength()
    {
        const string text = "Speed changes how long this sentence takes to say.";

        double normal = Duration(await _client.GetAudioAsync(text, cancellationToken: Ct));
        double fast = Duration(await _client.GetAudioAsync(text, new TextToSpeechOptions { Speed = 2f }, Ct));

        Assert.InRange(fast / normal, 0.35, 0.7);
    }

    [Fact]
    public async Task PicksVoiceByIdOrLanguage()
    {
        TextToSpeechResponse byId = await _client.GetAudioAsync("Bonjour.", new TextToSpeechOptions { VoiceId = "fr-fr" }, Ct);
        TextToSpeechResponse qualified = await _client.GetAudioAsync("Hallo.", new TextToSpeechOptions { VoiceId = "espeak:de" }, Ct);
        TextToSpeechResponse byLanguage = await _client.GetAudioAsync("Hola.", new TextToSpeechOptions { Language = "es" }, Ct);

        Assert.Equal("espeak:fr-fr", byId.ModelId);
        Assert.Equal("espeak:de", qualified.ModelId);
        Assert.StartsWith("espeak:es", byLanguage.ModelId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritesMp3AndOpusThroughFfmpeg()
    {
        TextToSpeechResponse mp3 = await _client.GetAudioAsync("Compressed speech.", new TextToSpeechOptions { AudioFormat = "mp3" }, Ct);
        TextToSpeechResponse opus = await _client.GetAudioAsync("Compressed speech.", new TextToSpeechOptions { AudioFormat = "opus" }, Ct);

        DataContent mp3Audio = (DataContent)mp3.Contents[0];
        DataContent opusAudio = (DataContent)opus.Contents[0];
        Assert.Equal("audio/mpeg", mp3Audio.MediaType);
        Assert.Equal(AudioContainer.Mp3, AudioDecoder.Detect(mp3Audio.Data.Span));
        Assert.Equal(AudioContainer.OggOpus, AudioDecoder.Detect(opusAudio.Data.Span));
    }

    [Fact]
    public async Task StreamsOneCompleteFilePerSentence()
    {
        List<TextToSpeechResponseUpdate> updates = await _client.GetStreamingAudioAsync("First sentence. Second one! And a third?", cancellationToken: Ct).ToListAsync(Ct);

        Assert.Equal(3, updates.Count);
        Assert.All(updates, u => Assert.True(((DataContent)u.Contents[0]).Data.Span[..4].SequenceEqual("RIFF"u8)));
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
    }

    [Fact]
    public async Task BadRequestsGetTypedErrors()
    {
        await Assert.ThrowsAsync<UnknownVoiceException>(() => _client.GetAudioAsync("Hi.", new TextToSpeechOptions { VoiceId = "klingon" }, Ct));
        var language = await Assert.ThrowsAsync<UnknownVoiceException>(() => _client.GetAudioAsync("Hi.", new TextToSpeechOptions { Language = "tlh" }, Ct));
        await Assert.ThrowsAsync<InvalidTextException>(() => _client.GetAudioAsync("   ", cancellationToken: Ct));
        await Assert.ThrowsAsync<InvalidTextException>(() => _client.GetAudioAsync(new string('a', 5000), cancellationToken: Ct));
        await Assert.ThrowsAsync<SpeechSettingException>(() => _client.GetAudioAsync("Hi.", new TextToSpeechOptions { Speed = 10 }, Ct));
        await Assert.ThrowsAsync<UnsupportedOutputFormatException>(() => _client.GetAudioAsync("Hi.", new TextToSpeechOptions { AudioFormat = "midi" }, Ct));

        Assert.Equal("language", language.Parameter);
    }

    [Fact]
    public async Task MissingProgramIsAnEngineError()
    {
        var client = new EspeakTextToSpeechClient(new EspeakOptions { ProgramPath = "/nonexistent/espeak-ng" });

        Assert.False(client.IsAvailable);
        var error = await Assert.ThrowsAsync<SpeechEngineException>(() => client.GetAudioAsync("Hi.", cancellationToken: Ct));
        Assert.Contains("apt-get install espeak-ng", error.Message, StringComparison.Ordinal);
    }

    private static double Duration(TextToSpeechResponse response) => (double)response.AdditionalProperties!["duration"]!;
}
