using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OffGrid.Hub;
using OffGrid.Hub.Store;
using OffGrid.Inference.Chat;
using OffGrid.Inference.Engine;
using OffGrid.Inference.Models;
using OffGrid.Inference.Runtime;
using OffGrid.Speech.Audio;
using OffGrid.Speech.Conversation;
using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Synthesis.Piper;
using OffGrid.Speech.Transcription;
using OffGrid.Testing;
using OffGrid.Testing.Audio;
using OffGrid.Testing.HuggingFace;
using OffGrid.Testing.Piper;
using OffGrid.Testing.Whisper;

// Real-time factors of transcription and synthesis on the generated models, and voice chat's time to first audio.
// Usage: dotnet run -c Release --project bench/OffGrid.Speech.Bench -- [--threads 2] [--iterations 3]
int threads = Arg("--threads", 2);
int iterations = Arg("--iterations", 3);
CancellationToken ct = CancellationToken.None;

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; threads {threads}; median of {iterations}");
Console.WriteLine($"load before: {LoadAverage()}");

const string Paragraph = "OffGrid runs speech recognition and speech synthesis on this machine, with no network at all. " +
    "The audio never leaves the computer, which matters for hospitals, factories and law firms. " +
    "Whisper listens, Piper and eSpeak talk, and a local language model answers in between.";
byte[] speech = TestAudio.Speak(string.Join(' ', Enumerable.Repeat(Paragraph, 2)));
AudioClip speechClip = await new AudioDecoder().DecodeAsync(new MemoryStream(speech), 16000, ct);
Console.WriteLine($"speech sample: {speechClip.Duration.TotalSeconds:0.0} s (espeak-ng)");
Console.WriteLine();
Console.WriteLine("| case | audio s | wall s (median) | real-time factor | note |");
Console.WriteLine("|---|---:|---:|---:|---|");

foreach ((string name, WhisperModelSpec spec) in new[] { ("whisper micro (1+1 blocks, 64 wide)", WhisperModelSpec.Micro), ("whisper tiny-shaped (4+4 blocks, 384 wide, random)", WhisperModelSpec.TinyShaped) })
{
    using var stt = new WhisperSpeechToTextClient(new WhisperClientOptions { ModelPath = WhisperGgmlWriter.GetOrCreate(spec), Threads = threads });
    await stt.GetTextAsync(new MemoryStream(TestAudio.Speak("Warm up.")), cancellationToken: ct); // loads the model
    int segments = 0;
    double wall = Median(iterations, () =>
    {
        SpeechToTextResponse r = stt.GetTextAsync(new MemoryStream(speech), new SpeechToTextOptions { SpeechLanguage = "en" }, ct).GetAwaiter().GetResult();
        segments = r.GetSegments().Count;
    });
    Row($"transcribe: {name}", speechClip.Duration.TotalSeconds, wall, $"{segments} segments; random weights decode junk tokens");
}

using (var espeak = new EspeakTextToSpeechClient())
{
    double audio = 0;
    double wall = Median(iterations, () => audio = (double)espeak.GetAudioAsync(Paragraph, cancellationToken: ct).GetAwaiter().GetResult().AdditionalProperties!["duration"]!);
    Row("synthesize: espeak-ng en-us (real voice)", audio, wall, "process per request, WAV");
    wall = Median(iterations, () => audio = (double)espeak.GetAudioAsync(Paragraph, new TextToSpeechOptions { AudioFormat = "mp3" }, ct).GetAwaiter().GetResult().AdditionalProperties!["duration"]!);
    Row("synthesize: espeak-ng en-us → mp3", audio, wall, "plus ffmpeg");
}

string home = TestPaths.NewTempDir("speech-bench");
try
{
    await using var loopback = LoopbackHubServer.Start();
    string voice = TestPiperVoices.Write(Path.Combine(home, "voice"));
    loopback.AddRepo(new LoopbackModelRepo { Id = "rhasspy/piper-voices", Files = { ["en/en_US-tiny-x_low.onnx"] = voice, ["en/en_US-tiny-x_low.onnx.json"] = voice + ".json" } });
    using ServiceProvider hub = new ServiceCollection().AddOffGridHub(o =>
    {
        o.HomeDirectory = home;
        o.HuggingFace.Endpoint = loopback.BaseUri;
    }).BuildServiceProvider();
    ModelStore store = hub.GetRequiredService<ModelStore>();
    await store.PullAsync("rhasspy/piper-voices/en/en_US-tiny-x_low.onnx", cancellationToken: ct);
    using var piper = new PiperTextToSpeechClient(store, new PiperOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Threads = threads });
    await piper.GetAudioAsync("Warm up.", cancellationToken: ct);
    double audio = 0;
    double wall = Median(iterations, () => audio = (double)piper.GetAudioAsync(Paragraph, cancellationToken: ct).GetAwaiter().GetResult().AdditionalProperties!["duration"]!);
    Row("synthesize: Piper via sherpa-onnx, generated voice", audio, wall, "phonemizer + onnxruntime; the tiny graph is far cheaper than real VITS");
}
finally
{
    Directory.Delete(home, recursive: true);
}

Console.WriteLine();
Console.WriteLine("Voice chat, stories260K (llama.cpp, greedy, 160 tokens) + espeak-ng: time from the end of the question to the first audio");
Console.WriteLine();
Console.WriteLine("| mode | first audio s (median) | all audio s (median) | sentences |");
Console.WriteLine("|---|---:|---:|---:|");
await LlamaRuntime.LoadAsync(new LlamaRuntimeOptions { InstallDirectory = Path.Combine(TestPaths.CacheDir, "runtime"), Variant = LlamaRuntimeVariant.Cpu });
using (LlamaModel model = await LlamaModel.LoadAsync(TestPaths.Stories260K))
using (var engine = new LlamaEngine(model, new LlamaEngineOptions { ParallelSequences = 1, ContextSize = 512, Threads = 1 }))
using (var chat = new LlamaChatClient(engine))
using (var voiceClient = new EspeakTextToSpeechClient())
{
    var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 160 };
    ChatMessage[] question = [new(ChatRole.User, "Once upon a time")];
    var streamedFirst = new List<double>();
    var streamedAll = new List<double>();
    int sentences = 0;
    var waitedFirst = new List<double>();
    for (int i = 0; i < iterations + 1; i++)
    {
        List<SpokenSentence> spoken = await chat.GetStreamingSpeechAsync(voiceClient, question, options, cancellationToken: ct).ToListAsync(ct);
        var stopwatch = Stopwatch.StartNew();
        ChatResponse whole = await chat.GetResponseAsync(question, options, ct);
        await voiceClient.GetAudioAsync(whole.Text, cancellationToken: ct);
        double waited = stopwatch.Elapsed.TotalSeconds;
        if (i == 0)
        {
            continue; // warm-up
        }

        streamedFirst.Add(spoken[0].Elapsed.TotalSeconds);
        streamedAll.Add(spoken[^1].Elapsed.TotalSeconds);
        sentences = spoken.Count;
        waitedFirst.Add(waited);
    }

    Console.WriteLine($"| speak each sentence as it completes (GetStreamingSpeechAsync) | {MedianOf(streamedFirst):0.000} | {MedianOf(streamedAll):0.000} | {sentences} |");
    Console.WriteLine($"| wait for the whole answer, then speak it (call mode of Open WebUI) | {MedianOf(waitedFirst):0.000} | {MedianOf(waitedFirst):0.000} | 1 |");
}

Console.WriteLine();
Console.WriteLine($"load after: {LoadAverage()}");
return;

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static double Median(int n, Action run)
{
    var times = new List<double>();
    for (int i = 0; i < n; i++)
    {
        var stopwatch = Stopwatch.StartNew();
        run();
        times.Add(stopwatch.Elapsed.TotalSeconds);
    }

    return MedianOf(times);
}

static double MedianOf(List<double> values) => values.Order().ElementAt(values.Count / 2);

static void Row(string name, double audioSeconds, double wallSeconds, string note) =>
    Console.WriteLine($"| {name} | {audioSeconds:0.0} | {wallSeconds:0.000} | {wallSeconds / audioSeconds:0.000} | {note} |");

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
