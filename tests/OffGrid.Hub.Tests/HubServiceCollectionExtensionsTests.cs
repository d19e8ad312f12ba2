using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OffGrid.Hub.Store;
using OffGrid.Testing;

namespace OffGrid.Hub.Tests;

public sealed class HubServiceCollectionExtensionsTests
{
    [Fact]
    public void RegistersStoreUnderConfiguredHome()
    {
        string home = TestPaths.NewTempDir("di");
        using ServiceProvider provider = new ServiceCollection()
            .AddLogging()
            .AddOffGridHub(o => o.HomeDirectory = home)
            .BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        ModelStore store = provider.GetRequiredService<ModelStore>();

        Assert.Equal(Path.Combine(home, "models"), store.RootDirectory);
        Assert.Same(store, provider.GetRequiredService<ModelStore>());
        Directory.Delete(home, recursive: true);
    }

    [Fact]
    public void InvalidOptionsFailAtStart()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddOffGridHub(o => o.Downloads.MaxConnections = 0)
            .BuildServiceProvider();

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }
}
