using System.Buffers.Binary;
using System.Text.Json;
using OffGrid.Testing;
using OffGrid.Testing.Audio;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Piper;
using OffGrid.Testing.Whisper;

namespace OffGrid.Cli.Tests.Commands;

/// <summary>offgrid say, voices and transcribe as a user runs them: espeak-ng speaks, a generated Whisper model listens.</summary>
public sealed class SpeechCommandTests : IDisposable
{
    private readonly OffGridCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task SayWritesWavAndMp3Files()
    {
        string wav = Path.Combine(_cli.Home, "hello.wav");
        string mp3 = Path.Combine(_cli.Home, "hello.mp3");

        CliResult first = await _cli.RunAsync("say", "Hello from the OffGrid command line.", "-o", wav);
        CliResult second = await _cli.RunWithInputAsync("Read from standard input.", "say", "-o", mp3, "--voice", "espeak:en-gb", "--speed", "1.5");

        first.AssertSuccess();
        second.AssertSuccess();
        byte[] bytes = await File.ReadAllBytesAsync(wav, TestContext.Current.CancellationToken);
        Assert.True(bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8));
        int rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24));
        double seconds = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(40)) / (rate * 2.0);
        Assert.InRange(seconds, 1, 6);
        Assert.Contains("hello.wav", first.Stderr, StringComparison.Ordinal);
        Assert.True((await File.ReadAllBytesAsync(mp3, TestContext.Current.CancellationToken)).Length > 1000);
        Assert.Contains("espeak:en-gb", second.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VoicesListsManyLanguages()
    {
        CliResult json = await _cli.RunAsync("voices", "--json");
        CliResult german = await _cli.RunAsync("voices", "--language", "de");

        json.AssertSuccess();
        using JsonDocument voices = JsonDocument.Parse(json.Stdout);
        Assert.Contains(voices.RootElement.EnumerateArray(), v => v.GetProperty("id").GetString() == "espeak:en-us");
        Assert.True(voices.RootElement.EnumerateArray().Select(v => v.GetProperty("languages")[0].GetString()!.Split('-')[0]).Distinct().Count() >= 18);
        german.AssertSuccess();
        Assert.Contains("espeak:de", german.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("espeak:fr", german.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TranscribesSpeechAsJsonAndSubtitles()
    {
        string audio = Path.Combine(_cli.Home, "speech.mp3");
        await File.WriteAllBytesAsync(audio, TestAudio.Convert(TestAudio.Speak("Transcribe this sentence, please."), ".mp3"), TestContext.Current.CancellationToken);
        string model = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro);

        CliResult json = await _cli.RunAsync("transcribe", audio, "--model", model, "--format", "json", "--threads", "2");
        CliResult srt = await _cli.RunAsync("transcribe", audio, "--model", model, "--format", "srt", "--language", "en");
        CliResult vtt = await _cli.RunAsync("transcribe", audio, "--model", model, "--format", "vtt", "--translate");

        json.AssertSuccess();
        using JsonDocument result = JsonDocument.Parse(json.Stdout);
        double duration = result.RootElement.GetProperty("duration").GetDouble();
        Assert.InRange(duration, 1, 6);
        JsonElement[] segments = [.. result.RootElement.GetProperty("segments").EnumerateArray()];
        Assert.NotEmpty(segments);
        Assert.All(segments, s => Assert.InRange(s.GetProperty("end").GetDouble(), s.GetProperty("start").GetDouble(), duration));
        Assert.Matches("^[a-z]{2,3}$", result.RootElement.GetProperty("language").GetString());
        srt.AssertSuccess();
        Assert.Matches(@"^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n", srt.Stdout);
        Assert.Contains("language en", srt.Stderr, StringComparison.Ordinal);
        vtt.AssertSuccess();
        Assert.StartsWith("WEBVTT\n\n", vtt.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullsAWhisperAliasFromTheHubOnFirstUse()
    {
        await using var hub = LoopbackHubServer.Start();
        hub.AddRepo(new LoopbackModelRepo { Id = "ggerganov/whisper.cpp", Files = { ["ggml-tiny.bin"] = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro) } });
        _cli.Environment["HF_ENDPOINT"] = hub.BaseUri.ToString();
        string audio = Path.Combine(_cli.Home, "speech.wav");
        await File.WriteAllBytesAsync(audio, TestAudio.Speak("Pull the model first."), TestContext.Current.CancellationToken);

        CliResult result = await _cli.RunAsync("transcribe", audio, "--model", "whisper-tiny");
        CliResult listed = await _cli.RunAsync("list");

        result.AssertSuccess();
        Assert.NotEmpty(result.Stdout.Trim());
        Assert.Contains("ggml-tiny.bin", listed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PiperVoicesArePulledListedAndSpoken()
    {
        await using var hub = LoopbackHubServer.Start();
        string voice = TestPiperVoices.Write(TestPaths.NewTempDir("cli-piper"), "en_US-tiny-x_low");
        hub.AddRepo(new LoopbackModelRepo { Id = "rhasspy/piper-voices", Files = { ["en/en_US/tiny/x_low/en_US-tiny-x_low.onnx"] = voice, ["en/en_US/tiny/x_low/en_US-tiny-x_low.onnx.json"] = voice + ".json" } });
        _cli.Environment["HF_ENDPOINT"] = hub.BaseUri.ToString();
        string output = Path.Combine(_cli.Home, "piper.wav");

        CliResult pull = await _cli.RunAsync("pull", "rhasspy/piper-voices/en/en_US/tiny/x_low/en_US-tiny-x_low.onnx");
        CliResult voices = await _cli.RunAsync("voices", "--language", "en-us");
        CliResult say = await _cli.RunAsync("say", "Spoken by sherpa-onnx.", "-o", output, "--voice", "piper:en_US-tiny-x_low");

        pull.AssertSuccess();
        Assert.Contains("piper:en_US-tiny-x_low", voices.Stdout, StringComparison.Ordinal);
        Assert.Contains("espeak:en-us", voices.Stdout, StringComparison.Ordinal);
        say.AssertSuccess();
        byte[] wav = await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken);
        Assert.Equal(16000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Contains("piper:en_US-tiny-x_low", say.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInputFailsWithOneLine()
    {
        string silent = Path.Combine(_cli.Home, "silent.wav");
        string notAudio = Path.Combine(_cli.Home, "notes.wav");
        await File.WriteAllBytesAsync(silent, TestAudio.SilentWav(2), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(notAudio, "these are notes, not audio", TestContext.Current.CancellationToken);
        string model = WhisperGgmlWriter.GetOrCreate(WhisperModelSpec.Micro);

        Assert.Contains("silent", (await _cli.RunAsync("transcribe", silent, "--model", model)).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("not recognized", (await _cli.RunAsync("transcribe", notAudio, "--model", model)).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("does not exist", (await _cli.RunAsync("transcribe", Path.Combine(_cli.Home, "missing.wav"), "--model", model)).AssertOneLineFailure(), StringComparison.Ordinal);
        Assert.Contains("does not know the speech language", (await _cli.RunAsync("transcribe", silent, "--model", model, "--language", "xx")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("Unknown voice", (await _cli.RunAsync("say", "hi", "-o", Path.Combine(_cli.Home, "x.wav"), "--voice", "klingon")).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        Assert.Contains("Unknown audio format", (await _cli.RunAsync("say", "hi", "-o", Path.Combine(_cli.Home, "x.midi"))).AssertOneLineFailure(expectedExitCode: 2), StringComparison.Ordinal);
        (await _cli.RunAsync("transcribe", silent, "--format", "xml")).AssertOneLineFailure(2);
        (await _cli.RunWithInputAsync("", "say", "-o", Path.Combine(_cli.Home, "x.wav"))).AssertOneLineFailure(2);
        Assert.False(File.Exists(Path.Combine(_cli.Home, "x.wav")));
    }
}
