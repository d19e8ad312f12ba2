using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OffGrid.Inference.Pooling;
using OffGrid.Inference.Tests.Pooling;
using OffGrid.Testing;

namespace OffGrid.Inference.Tests;

public sealed class InferenceMetricsTests
{
    [Fact]
    public async Task APoolReportsOnTheMeterOfItsOwnMeterFactory()
    {
        using ServiceProvider services = new ServiceCollection().AddOffGridInference().BuildServiceProvider();
        using ServiceProvider other = new ServiceCollection().AddOffGridInference().BuildServiceProvider();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        IMeterFactory otherFactory = other.GetRequiredService<IMeterFactory>();
        using var tokens = new MetricCollector<long>(factory, InferenceTelemetry.MeterName, "offgrid.inference.completion_tokens");
        using var firstToken = new MetricCollector<double>(factory, InferenceTelemetry.MeterName, "gen_ai.server.time_to_first_token");
        using var loaded = new MetricCollector<int>(factory, InferenceTelemetry.MeterName, "offgrid.inference.loaded_models");
        using var otherTokens = new MetricCollector<long>(otherFactory, InferenceTelemetry.MeterName, "offgrid.inference.completion_tokens");
        using var otherLoaded = new MetricCollector<int>(otherFactory, InferenceTelemetry.MeterName, "offgrid.inference.loaded_models");
        using var pool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1)), meterFactory: factory);
        using var otherPool = new LlamaModelPool(LlamaModelPoolTests.SmallPool(TimeSpan.FromMinutes(1)), meterFactory: otherFactory);
        using IChatClient client = pool.CreateChatClient(TestPaths.Stories260K);

        ChatResponse response = await client.GetResponseAsync("Once upon a time", new ChatOptions { Temperature = 0, MaxOutputTokens = 4 }, TestContext.Current.CancellationToken);

        CollectedMeasurement<long> generated = Assert.Single(tokens.GetMeasurementSnapshot());
        Assert.Equal(response.Usage!.OutputTokenCount, generated.Value);
        Assert.Equal("stories260K", generated.Tags["model"]);
        CollectedMeasurement<double> latency = Assert.Single(firstToken.GetMeasurementSnapshot());
        Assert.InRange(latency.Value, double.Epsilon, 60);
        Assert.Equal("chat", latency.Tags["gen_ai.operation.name"]);
        Assert.Equal(InferenceTelemetry.ProviderName, latency.Tags["gen_ai.provider.name"]);
        Assert.Equal("stories260K", latency.Tags["gen_ai.request.model"]);
        loaded.RecordObservableInstruments();
        Assert.Equal(1, loaded.LastMeasurement?.Value);

        // Another container's pool and meter see none of it.
        Assert.Empty(otherTokens.GetMeasurementSnapshot());
        otherLoaded.RecordObservableInstruments();
        Assert.Equal(0, otherLoaded.LastMeasurement?.Value);
    }
}
