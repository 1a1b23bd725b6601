// The conversation the "main" phase leaves behind and the "reload" phase expects back.
export const QUESTION = '哪个城市卖得最多？画一张图。';
export const REPLY = '上海卖得最多，共 47 件。';
export const CODE = [
  'import matplotlib.pyplot as plt',
  'by_city = df.groupby("城市")["units"].sum().sort_values(ascending=False)',
  'print(by_city.to_string())',
  'by_city.plot(kind="bar", title="各城市销量")',
  'plt.tight_layout()',
].join('\n');
