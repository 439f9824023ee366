using WarpDrive.Kubernetes;
using WarpDrive.Kubernetes.DevicePluginApi;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>What one resource lists in ListAndWatch (<see cref="UnitPlanner"/>), the preferred allocation and the
/// device kinds, without a broker or a kubelet.</summary>
public sealed class UnitPlannerTests
{
    private static readonly HashSet<string> s_none = [];

    private static NodeDevice Zip(int queues = 4, int available = 4, string? unhealthy = null, int numa = -1) => new()
    {
        Name = "zip-0", Kind = "zip", Source = DeviceSource.Broker, Queues = queues, Available = available, Unhealthy = unhealthy, NumaNode = numa,
    };

    private static string Describe(IEnumerable<Device> units) => string.Join(" ", units.Select(u => $"{u.ID}={u.Health[0]}"));

    [Fact]
    public void EachQueueIsOneUnitOrSharesUnitsAndTheTopologyIsTheDevicesNumaNode()
    {
        var node = new NodeSnapshot(1, [Zip(queues: 2, available: 2, numa: 1), Zip() with { Name = "sec-0", Kind = "sec" }]);
        List<Device> units = UnitPlanner.Plan(node, "zip", 1, s_none, _ => 0);
        Assert.Equal("zip-0.q0=H zip-0.q1=H", Describe(units));
        Assert.All(units, u => Assert.Equal(1, Assert.Single(u.Topology.Nodes).ID));
        Assert.Equal("zip-0.q0.s0=H zip-0.q0.s1=H zip-0.q0.s2=H zip-0.q1.s0=H zip-0.q1.s1=H zip-0.q1.s2=H", Describe(UnitPlanner.Plan(node, "zip", 3, s_none, _ => 0)));
    }

    [Fact]
    public void QueuesUsedBeyondTheAllocationsMakeThatManyUnallocatedUnitsUnhealthyFromTheLast()
    {
        // 3 of 4 queues in use, allocations may hold 1: two were taken outside Kubernetes.
        var node = new NodeSnapshot(1, [Zip(available: 1)]);
        Assert.Equal("zip-0.q0=H zip-0.q1=H zip-0.q2=U zip-0.q3=U", Describe(UnitPlanner.Plan(node, "zip", 1, s_none, _ => 1)));
        // The last unit is allocated: it stays Healthy (its pod holds it), the next ones down go.
        Assert.Equal("zip-0.q0=H zip-0.q1=U zip-0.q2=U zip-0.q3=H", Describe(UnitPlanner.Plan(node, "zip", 1, new HashSet<string> { "zip-0.q3" }, _ => 1)));
        // With 2 shares a queue taken outside is two units.
        Assert.Equal(2, UnitPlanner.Plan(new NodeSnapshot(1, [Zip(available: 3)]), "zip", 2, s_none, _ => 0).Count(u => u.Health == UnitPlanner.Unhealthy));
    }

    [Fact]
    public void AnUnhealthyDeviceHasOnlyUnhealthyUnits() =>
        Assert.Equal("zip-0.q0=U zip-0.q1=U", Describe(UnitPlanner.Plan(new NodeSnapshot(null, [Zip(2, 0, "the broker is gone")]), "zip", 1, s_none, _ => 0)));

    [Fact]
    public void ThePreferredAllocationKeepsTheMustIncludeUnitsAndPacksOntoOneDevice()
    {
        string[] available = ["zip-1.q0", "zip-0.q0", "zip-1.q1", "zip-0.q1", "zip-1.q2"];
        Assert.Equal(["zip-1.q0", "zip-1.q1"], DevicePluginService.Prefer(available, [], 2)); // zip-1 has the most free
        Assert.Equal(["zip-0.q1", "zip-0.q0", "zip-1.q0"], DevicePluginService.Prefer(available, ["zip-0.q1"], 3));
    }

    [Theory]
    [InlineData("zip-0", "zip")]
    [InlineData("zip-12", "zip")]
    [InlineData("hisi_zip-0", "zip")]
    [InlineData("hisi_sec2-3", "sec")]
    [InlineData("hisi_hpre-1", "hpre")]
    [InlineData("sec-0", "sec")]
    [InlineData("rng-0", null)]
    [InlineData("zipper-0", null)]
    public void TheKindOfADeviceComesFromItsName(string name, string? kind) => Assert.Equal(kind, DeviceKinds.Of(name));

    [Fact]
    public void AUnitIdNamesItsDevice()
    {
        Assert.Equal("zip-0.q3", UnitIds.Format("zip-0", 3, 0, 1));
        Assert.Equal("zip-0.q3.s1", UnitIds.Format("zip-0", 3, 1, 2));
        Assert.True(UnitIds.TryGetDevice("hisi_zip-0.q3.s1", out string? device));
        Assert.Equal("hisi_zip-0", device);
        Assert.False(UnitIds.TryGetDevice("zip-0", out _));
    }
}
