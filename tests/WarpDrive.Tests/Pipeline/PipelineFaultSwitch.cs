using System.Runtime.CompilerServices;
using WarpDrive.Pipeline;

namespace WarpDrive.Tests.Pipeline;

internal static class PipelineFaultSwitch
{
    /// <summary>Turns fault injection on before any WarpDrive code runs in the test process (it is read once).</summary>
    [ModuleInitializer]
    internal static void Enable() => AppContext.SetSwitch(PipelineFaults.Switch, true);
}
