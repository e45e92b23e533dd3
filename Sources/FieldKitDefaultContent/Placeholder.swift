public enum DefaultContentPlaceholder {}
