using OffGrid.Hub.References;

namespace OffGrid.Hub.Tests.References;

public sealed class StarterModelsTests
{
    private const long GB = 1_000_000_000;

    [Fact]
    public void ATwoCoreMachineWithoutAGpuGetsSmallModelsWhateverItsMemory()
    {
        Assert.Equal(["llama3.2-1b", "qwen2.5-0.5b"], Names(StarterModels.For(25 * GB, cpuCores: 2)));
    }

    [Fact]
    public void MoreCoresAllowLargerModelsOnTheCpu()
    {
        Assert.Equal("llama3.2", StarterModels.For(64 * GB, cpuCores: 4)[0].Name);
        Assert.Equal("llama3.1", StarterModels.For(64 * GB, cpuCores: 8)[0].Name);
    }

    [Fact]
    public void AGpuIsBoundedByItsOwnMemoryNotByTheCores()
    {
        Assert.Equal("llama3.1", StarterModels.For(32 * GB, cpuCores: 2, gpuMemoryBytes: 24 * GB)[0].Name);
        Assert.Equal("llama3.2", StarterModels.For(32 * GB, cpuCores: 2, gpuMemoryBytes: 6 * GB)[0].Name);
        Assert.Equal("qwen2.5", StarterModels.For(16 * GB, cpuCores: 2, gpuMemoryBytes: null)[0].Name);
    }

    [Fact]
    public void TooLittleMemoryStillSuggestsTheSmallest()
    {
        Assert.Equal(["qwen2.5-0.5b"], Names(StarterModels.For(1 * GB, cpuCores: 16)));
    }

    private static string[] Names(IEnumerable<ModelAlias> aliases) => [.. aliases.Select(a => a.Name)];
}
