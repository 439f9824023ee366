namespace WarpDrive.Soak;

/// <summary>One line of the verdict.</summary>
/// <param name="Name">What is checked.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Detail">The figures it was decided on.</param>
internal sealed record SoakCheck(string Name, bool Passed, string Detail);
